/** `--help` on any verb prints its usage and flags and does nothing else (no daemon started, no node reset). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
const NODELET = fileURLToPath(new URL("../../../src/cmd/nodelet.js", import.meta.url));
const cli = (...args) => spawnSync(process.execPath, [NODELET, ...args], { encoding: "utf8", timeout: 10_000, env: { ...process.env, NODELET_SOCKET: "/nonexistent/nodelet.sock" } });
for (const [verb, flag] of [["daemon", "--pod-cidr VALUE"], ["reset", "--root VALUE"], ["run", "--image VALUE"], ["get", "-o, --output VALUE"], ["kubeconfig", "--root VALUE"]]) {
    test(`nodelet ${verb} --help prints its flags and exits 0`, () => {
        const r = cli(verb, "--help");
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, new RegExp(`Usage:\\n  nodelet ${verb}`));
        assert.ok(r.stdout.includes(flag), r.stdout);
        assert.ok(!r.stdout.includes("--help"), "help itself is not listed");
    });
}
test("daemon --help says what each setting does and its default", () => {
    const r = cli("daemon", "--help");
    assert.match(r.stdout, /--proxy-mode VALUE +Service proxy: iptables, nftables or userspace \(default iptables\)/);
    assert.match(r.stdout, /--root VALUE +state directory \(default \/var\/lib\/nodelet\)/);
});
test("-h after -- belongs to the container's command, not to run", () => {
    const r = cli("run", "x", "--image", "busybox", "--", "ls", "-h");
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /cannot connect|ENOENT/, "it tried to reach the daemon instead of printing help");
});
//# sourceMappingURL=help.test.js.map