/**
 * Switching --proxy-mode on a restart leaves only the new mode's rules (the old mode's are removed at start, as
 * kube-proxy cleans up leftovers), traffic keeps working through each, a SIGTERM stops the daemon in every mode, and
 * the reset leaves the host clean.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { needsCommand, needsRoot, skipUnless } from "../helpers/root.js";
import { eventually } from "../helpers/daemon.js";
import { sh } from "../helpers/netns.js";
import { ServiceCluster, WEB_PODS, type Mode } from "../helpers/service-cluster.js";
import { iptablesPrefix, nftProxyTable } from "../../src/proxy/names.js";

const skip = skipUnless(needsRoot(), needsCommand("nft"), needsCommand("iptables-restore"));

describe("switching proxy modes (privileged)", { skip }, () => {
  const c = new ServiceCluster("iptables", 156);
  let clusterIP = "";

  before(async () => {
    await c.start();
    clusterIP = await c.jsonpath("svc", "web", "{.spec.clusterIP}");
  });

  after(async () => {
    await c.cleanup();
    assert.deepEqual(await c.leftovers(), [], "nothing left after reset");
  });

  const iptablesChains = async () => (await sh(["iptables-save", "-t", "nat"])).stdout.split("\n").filter((l) => l.startsWith(`:${iptablesPrefix(c.bridge)}-`));
  const nftTable = async () => (await sh(["nft", "list", "table", "ip", nftProxyTable(c.bridge)])).stdout;

  // How long the switch takes is the machine's load as much as ours: terminate() and start() bound it (a daemon that
  // does not stop or answer fails there), and the mode's rules are what these tests check.
  async function restartAs(mode: Mode): Promise<void> {
    await c.restart(mode);
  }

  test("iptables: chains in nat, no nft table of ours", async () => {
    assert.ok((await iptablesChains()).length > 5);
    assert.equal(await nftTable(), "");
    // The pods are Ready once start() returns; their endpoints reach the rules a sync later.
    await eventually(async () => new Set(await c.fromHost(clusterIP, 80, 20)).size === 3, 5000, "traffic through iptables");
    assert.deepEqual([...new Set(await c.fromHost(clusterIP, 80, 20))].sort(), WEB_PODS);
  });

  test("nftables after iptables: the iptables chains are gone", async () => {
    await restartAs("nftables");
    assert.deepEqual(await iptablesChains(), []);
    assert.match(await nftTable(), /map service-ips/);
    await eventually(async () => new Set(await c.fromHost(clusterIP, 80, 20)).size === 3, 5000, "traffic through nftables");
  });

  test("userspace after nftables: only the guard remains in the table", async () => {
    await restartAs("userspace");
    const table = await nftTable();
    assert.doesNotMatch(table, /service-ips|dnat/);
    assert.match(table, /set served/);
    await eventually(async () => new Set(await c.fromHost(clusterIP, 80, 20)).size === 3, 5000, "traffic through the userspace proxy");
  });

  test("iptables after userspace: the guard table is gone, the pods kept running throughout", async () => {
    await restartAs("iptables");
    assert.equal(await nftTable(), "");
    await eventually(async () => new Set(await c.fromHost(clusterIP, 80, 20)).size === 3, 5000, "traffic through iptables again");
    for (const p of WEB_PODS) assert.equal((await c.pod(p))!.status!.containerStatuses![0].restartCount, 0);
  });
});
