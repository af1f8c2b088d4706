/** One node-IP detection for every pod network: the default route's source address, else an interface's, never our bridge's. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { networkInterfaces } from "node:os";
import { detectNodeIP } from "../../../src/network/node-ip.js";
import { LoopbackOnlyNetwork } from "../../../src/network/pod-network.js";
import { ScriptedRunner } from "../../../src/sys/scripted-runner.js";
const viaRoute = () => new ScriptedRunner((argv) => (argv.join(" ") === "ip -json -4 route get 1.1.1.1" ? { stdout: JSON.stringify([{ dst: "1.1.1.1", prefsrc: "192.0.2.2" }]) } : undefined));
const noRoute = () => new ScriptedRunner(() => ({ code: 2, stderr: "RTNETLINK answers: Network is unreachable" }));
test("the default route's source address is the node's address", async () => {
    const r = viaRoute();
    assert.equal(await detectNodeIP(r), "192.0.2.2");
    assert.deepEqual(r.commands(), ["ip -json -4 route get 1.1.1.1"]);
});
test("without a default route: the first non-loopback IPv4 address not on the skipped interface, else 127.0.0.1", async () => {
    const candidates = Object.entries(networkInterfaces()).flatMap(([name, a]) => (a ?? []).filter((x) => x.family === "IPv4" && !x.internal).map((x) => ({ name, address: x.address })));
    const got = await detectNodeIP(noRoute(), { skipInterface: candidates[0]?.name });
    const expected = candidates.find((c) => c.name !== candidates[0]?.name)?.address ?? "127.0.0.1";
    assert.equal(got, expected);
});
test("the loopback-only network detects at start unless --node-ip gave the address", async () => {
    const detected = new LoopbackOnlyNetwork(undefined, viaRoute());
    await detected.start();
    assert.equal(detected.hostIP(), "192.0.2.2");
    const given = new LoopbackOnlyNetwork("198.51.100.7", viaRoute());
    await given.start();
    assert.equal(given.hostIP(), "198.51.100.7");
});
//# sourceMappingURL=node-ip.test.js.map