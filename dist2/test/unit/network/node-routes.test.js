/**
 * The unreachable routes a node's network removes are the ones it recorded adding: a route that was there before
 * (another daemon with the same cluster CIDR) stays at reset; ours stay ours across restarts; a state dir from before
 * the record existed (our bridge already there) counts the routes its settings make as ours.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BridgeNetwork } from "../../../src/network/bridge-network.js";
import { HostRunner } from "../../../src/sys/runner.js";
/** A host of routes: `ip` batches add and delete unreachable routes in it; every route deletion is kept. */
class RouteHost extends HostRunner {
    unreachable = new Set();
    deleted = [];
    bridge = false;
    async run(argv, opts = {}) {
        const cmd = argv.join(" ");
        const ok = (stdout = "") => ({ stdout, stderr: "", code: 0 });
        if (cmd.startsWith("ip -json -4 route show")) {
            return ok(JSON.stringify([{ dst: "default", gateway: "192.0.2.1", dev: "eth0" }, ...[...this.unreachable].map((dst) => ({ dst, type: "unreachable" }))]));
        }
        if (cmd.startsWith("ip -json -4 route get"))
            return ok(JSON.stringify([{ dst: "1.1.1.1", prefsrc: "192.0.2.2" }]));
        if (cmd === "ip -batch -" || cmd === "ip -force -batch -") {
            for (const line of (opts.input?.toString() ?? "").split("\n")) {
                const [verb, what, kind, dst] = line.split(" ");
                if (verb === "link" && what === "add")
                    this.bridge = true;
                if (verb !== "route" || kind !== "unreachable")
                    continue;
                if (what === "replace")
                    this.unreachable.add(dst);
                if (what === "del" && this.unreachable.delete(dst))
                    this.deleted.push(dst);
            }
            return ok();
        }
        if (cmd.startsWith("ip link del"))
            this.bridge = false;
        if (cmd.startsWith("ip -json -4 addr show"))
            return ok("[]");
        return ok();
    }
    async writeFile() { }
}
function kernel(host) {
    return {
        readSysctl: () => "1",
        writeSysctl: async () => undefined,
        ifindex: (name) => (name === "nlr0" && host.bridge ? 42 : undefined),
        isBridge: () => true,
        setHairpin: async () => undefined,
        bridgePorts: () => [],
        legacyIptablesTables: () => [],
        bridgesWithAlias: () => [],
    };
}
async function withNetwork(host, fn) {
    const dir = mkdtempSync(join(tmpdir(), "routes-"));
    const make = () => new BridgeNetwork({ stateDir: dir, runner: host, kernel: kernel(host), bridge: "nlr0", firewallBackend: "nftables", clusterCIDR: "10.244.0.0/16", podCIDR: "10.244.0.0/29", serviceCIDR: "10.96.0.0/12" });
    try {
        await fn(make, dir);
    }
    finally {
        rmSync(dir, { recursive: true, force: true });
    }
}
test("a route another daemon made before we started stays at reset; the one we added goes", async () => {
    const host = new RouteHost();
    host.unreachable.add("10.244.0.0/16");
    await withNetwork(host, async (make) => {
        await make().start(new Set());
        assert.deepEqual([...host.unreachable].sort(), ["10.244.0.0/16", "10.96.0.0/12"]);
        await make().reset();
        assert.deepEqual(host.deleted, ["10.96.0.0/12"]);
        assert.deepEqual([...host.unreachable], ["10.244.0.0/16"], "the other daemon's route is still there");
    });
});
test("routes we added stay ours across a restart (which finds them there)", async () => {
    const host = new RouteHost();
    await withNetwork(host, async (make) => {
        await make().start(new Set());
        await make().start(new Set());
        await make().reset();
        assert.deepEqual(host.deleted.sort(), ["10.244.0.0/16", "10.96.0.0/12"]);
        assert.equal(host.unreachable.size, 0);
    });
});
test("a state dir from before the record: our bridge already there means its routes are ours", async () => {
    const host = new RouteHost();
    host.bridge = true;
    host.unreachable.add("10.244.0.0/16");
    host.unreachable.add("10.96.0.0/12");
    await withNetwork(host, async (make, dir) => {
        writeFileSync(join(dir, "host-before.json"), JSON.stringify({ ipForward: "0" }));
        await make().start(new Set());
        await make().reset();
        assert.deepEqual(host.deleted.sort(), ["10.244.0.0/16", "10.96.0.0/12"]);
    });
});
//# sourceMappingURL=node-routes.test.js.map