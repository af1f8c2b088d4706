/**
 * The node side's Node follower (cmd/cross-node-wiring.ts) over an in-memory store and a scripted host: the routes
 * are programmed when a peer appears, left alone on heartbeats (no command at all), removed when the peer's Node is
 * deleted, and reset() removes our routes and the VXLAN device; the settings' checks name the flag.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseArgs } from "../../../src/cli/args.js";
import type { Node } from "../../../src/api/types.js";
import { CROSS_NODE_FLAGS, crossNodeRoutes, parseCrossNodeConfig, startCrossNodeRoutes, vxlanDeviceName } from "../../../src/cmd/cross-node-wiring.js";
import { validateSettings } from "../../../src/network/settings.js";
import { FakeClock } from "../../../src/sys/clock.js";
import { ScriptedRunner } from "../../../src/sys/scripted-runner.js";
import { openStore } from "../../../src/store/sqlite-store.js";
import { waitFor } from "../../helpers/wait.js";

const node = (name: string, podCIDR: string, ip: string): Node => ({
  apiVersion: "v1",
  kind: "Node",
  metadata: { name },
  spec: { podCIDR, podCIDRs: [podCIDR] },
  status: { addresses: [{ type: "InternalIP", address: ip }], conditions: [{ type: "Ready", status: "True", lastHeartbeatTime: "2026-12-01T00:00:00Z" }] },
});

/** A host whose routes of protocol 203 are what the batches made them. */
function scriptedHost() {
  const routes = new Map<string, string>();
  const runner = new ScriptedRunner((argv) => {
    const cmd = argv.join(" ");
    if (cmd === "ip -json -4 addr show") return { stdout: JSON.stringify([{ ifname: "eth0", mtu: 1500, addr_info: [{ family: "inet", local: "192.168.7.1", prefixlen: 24 }] }]) };
    if (cmd.startsWith("ip -json -4 route show table main proto 203")) return { stdout: JSON.stringify([...routes.values()].map((r) => JSON.parse(r) as unknown)) };
    if (argv.includes("link") && argv.includes("show")) return { code: 1, stderr: "Device does not exist" };
    return undefined;
  });
  const apply = (): void => {
    for (const c of runner.calls.splice(0)) {
      if (c.argv.join(" ") !== "ip -force -batch -") continue;
      for (const line of (c.input ?? "").trim().split("\n")) {
        const m = /^route (replace|del) (\S+)(?: via (\S+) dev (\S+))?/.exec(line);
        if (!m) continue;
        if (m[1] === "del") routes.delete(m[2]);
        else routes.set(m[2], JSON.stringify({ dst: m[2], gateway: m[3], dev: m[4], flags: [] }));
      }
    }
  };
  return { runner, routes, apply };
}

describe("cross-node routes follow the Node objects", () => {
  it("programs a peer's route, ignores heartbeats, removes the route with the Node, and reset removes ours", async () => {
    const store = openStore(":memory:");
    const host = scriptedHost();
    const settings = validateSettings({ bridge: "nltest0", clusterCIDR: "10.60.0.0/16", podCIDR: "10.60.1.0/24" });
    const routes = crossNodeRoutes({ mode: "auto", vni: 1, port: 4789 }, settings, host.runner, "n1");
    store.create(node("n1", "10.60.1.0/24", "192.168.7.1"));
    const watch = startCrossNodeRoutes(store, new FakeClock(), routes, () => undefined);
    try {
      store.create(node("n2", "10.60.2.0/24", "192.168.7.2"));
      const batches = () => host.runner.calls.filter((c) => c.argv.join(" ") === "ip -force -batch -").map((c) => c.input ?? "");
      await waitFor("n2's route", () => batches().some((b) => b.includes("route replace 10.60.2.0/24 via 192.168.7.2 dev eth0 proto 203")));
      host.apply();
      assert.deepEqual([...host.routes.keys()], ["10.60.2.0/24"]);

      // A heartbeat changes nothing the routes depend on: no command at all.
      const n2 = store.get<Node>("Node", "", "n2")!;
      store.update({ ...n2, status: { ...n2.status, conditions: [{ type: "Ready", status: "True", lastHeartbeatTime: "2026-12-01T00:00:10Z" }] } }, { subresource: "status" });
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(host.runner.calls, []);

      store.delete("Node", "", "n2");
      await waitFor("n2's route removed", () => {
        host.apply();
        return host.routes.size === 0;
      });

      store.create(node("n3", "10.60.3.0/24", "192.168.7.3"));
      await waitFor("n3's route", () => {
        host.apply();
        return host.routes.has("10.60.3.0/24");
      });
      await routes.reset();
      const cmds = host.runner.commands();
      assert.ok(cmds.includes(`ip link del ${vxlanDeviceName("nltest0")}`), cmds.join("\n"));
      assert.equal(vxlanDeviceName("nltest0"), "nltest0.vx");
      assert.equal(vxlanDeviceName("a-very-long-br0"), "a-very-long-.vx");
      host.apply();
      assert.equal(host.routes.size, 0, "reset removed our routes");
    } finally {
      watch.stop();
      store.close();
    }
  });

  it("checks --cross-node-mode, --vxlan-vni and --vxlan-port", () => {
    const parse = (argv: string[]) => parseCrossNodeConfig(parseArgs(argv, CROSS_NODE_FLAGS));
    assert.deepEqual(parse([]), { mode: "auto", vni: 1, port: 4789 });
    assert.deepEqual(parse(["--cross-node-mode", "vxlan", "--vxlan-vni", "42", "--vxlan-port", "8472"]), { mode: "vxlan", vni: 42, port: 8472 });
    assert.throws(() => parse(["--cross-node-mode", "gre"]), /--cross-node-mode: "gre" must be one of auto, route, vxlan/);
    assert.throws(() => parse(["--vxlan-vni", "16777216"]), /--vxlan-vni/);
    assert.throws(() => parse(["--vxlan-port", "0"]), /--vxlan-port/);
  });
});
