/**
 * Cross-node pod networking as root, all inside namespaces of this test: two "nodes" (network namespaces joined by
 * a veth pair, the cluster's link), each with a bridge holding its pod CIDR's gateway and a pod-like namespace on
 * it. CrossNodeRoutes, run inside each node's namespace over the two Node objects, makes pod A on node 1 reach pod
 * B on node 2 by pod IP: with direct routes when the nodes share a subnet (auto mode), and through the kernel's
 * VXLAN device when they do not (auto mode with /32 addresses); removing a Node removes its entries, and reset()
 * leaves no route of ours and no device.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parseCidr } from "../../src/api/cidr.js";
import type { Node } from "../../src/api/types.js";
import { CrossNodeRoutes } from "../../src/network/cross-node.js";
import { ROUTE_PROTO } from "../../src/network/cross-node-plan.js";
import { HostRunner, type Runner } from "../../src/sys/runner.js";
import { sh } from "../helpers/netns.js";
import { needsRoot } from "../helpers/root.js";
import { freeOctets } from "../helpers/subnets.js";

const host = new HostRunner();
/** Runs every command inside network namespace `ns` (the programmer's view of "its host"). */
function netnsRunner(ns: string): Runner {
  const wrap = (argv: string[]) => ["ip", "netns", "exec", ns, ...argv];
  return {
    run: (argv, opts) => host.run(wrap(argv), opts),
    spawn: (argv, opts) => host.spawn(wrap(argv), opts),
    writeFile: (p, d, o, m) => host.writeFile(p, d, o, m),
    mkdir: (p, o, m) => host.mkdir(p, o, m),
    rmdir: (p, o) => host.rmdir(p, o),
    comment: (o, t) => host.comment(o, t),
    note: (o, s) => host.note(o, s),
  };
}

async function must(argv: string[]): Promise<void> {
  const r = await sh(argv);
  if (r.code !== 0) throw new Error(`${argv.join(" ")}: ${r.stderr.trim()}`);
}

const tag = `xn${process.pid % 100000}`;
const octet = freeOctets(171, 2);
const underlay = `10.${octet}.0`;
const cluster = `10.${octet + 1}.0.0/16`;
const podNet = (i: number) => `10.${octet + 1}.${i}`;
const ns = (role: string, i: number) => `${tag}${role}${i}`;

function nodeObject(i: number, ip: string): Node {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name: `node${i}` },
    spec: { podCIDR: `${podNet(i)}.0/24`, podCIDRs: [`${podNet(i)}.0/24`] },
    status: { addresses: [{ type: "InternalIP", address: ip }] },
  };
}

async function removeAll(): Promise<void> {
  for (const i of [1, 2]) for (const role of ["p", "n"]) await sh(["ip", "netns", "del", ns(role, i)]);
}

/** Two nodes on one veth link; `prefix` 24 (one subnet) or 32 (no shared subnet: host routes only). */
async function buildNodes(prefix: 24 | 32): Promise<void> {
  await removeAll();
  for (const i of [1, 2]) for (const role of ["n", "p"]) await must(["ip", "netns", "add", ns(role, i)]);
  await must(["ip", "-n", ns("n", 1), "link", "add", "link0", "type", "veth", "peer", "name", "link0", "netns", ns("n", 2)]);
  for (const i of [1, 2]) {
    const n = ns("n", i);
    const p = ns("p", i);
    await must(["ip", "netns", "exec", n, "sysctl", "-qw", "net.ipv4.ip_forward=1"]);
    const nodeBatch = [
      "link set lo up",
      "link add br0 type bridge",
      `addr add ${podNet(i)}.1/24 dev br0`,
      "link set br0 up",
      `link add vpod type veth peer name eth0 netns ${p}`,
      "link set vpod master br0 up",
      `addr add ${underlay}.${i}/${prefix} dev link0`,
      "link set link0 up",
      ...(prefix === 32 ? [`route add ${underlay}.${3 - i}/32 dev link0`] : []),
    ];
    const podBatch = ["link set lo up", `addr add ${podNet(i)}.2/24 dev eth0`, "link set eth0 up", `route add default via ${podNet(i)}.1`];
    for (const [where, lines] of [[n, nodeBatch], [p, podBatch]] as const) {
      const r = await sh(["ip", "-n", where, "-batch", "-"], lines.join("\n") + "\n");
      if (r.code !== 0) throw new Error(`ip -n ${where} -batch: ${r.stderr.trim()}`);
    }
  }
}

const ping = (from: number, to: number) => sh(["ip", "netns", "exec", ns("p", from), "busybox", "ping", "-c", "1", "-W", "1", `${podNet(to)}.2`], undefined, 10_000);
const show = async (i: number, argv: string[]) => (await sh(["ip", "netns", "exec", ns("n", i), ...argv])).stdout;

function programmers(): CrossNodeRoutes[] {
  return [1, 2].map((i) => new CrossNodeRoutes({ runner: netnsRunner(ns("n", i)), nodeName: `node${i}`, cluster: parseCidr(cluster)!, mode: "auto", vxlan: { name: "nlvx0", vni: 7, port: 4789 } }));
}

describe("cross-node pod networking (two nodes in namespaces)", { skip: needsRoot() }, () => {
  before(async () => {
    assert.ok(octet, "a free 10.X block");
  });
  after(removeAll);

  it("auto on a shared subnet: direct routes; pod A reaches pod B by pod IP; a deleted Node's route goes; reset leaves nothing", async () => {
    await buildNodes(24);
    const nodes = [nodeObject(1, `${underlay}.1`), nodeObject(2, `${underlay}.2`)];
    const [p1, p2] = programmers();
    assert.notEqual((await ping(1, 2)).code, 0, "no path before the routes");
    await p1.sync(nodes);
    await p2.sync(nodes);
    assert.match(await show(1, ["ip", "route", "show", "proto", String(ROUTE_PROTO)]), new RegExp(`${podNet(2)}\\.0/24 via ${underlay}\\.2 dev link0`));
    assert.equal(await show(1, ["ip", "link", "show", "nlvx0"]), "", "no VXLAN device when every peer shares the link");
    const r = await ping(1, 2);
    assert.equal(r.code, 0, `pod A → pod B: ${r.stdout}${r.stderr}`);
    assert.equal((await ping(2, 1)).code, 0, "pod B → pod A");

    await p1.sync([nodes[0]]);
    assert.equal(await show(1, ["ip", "route", "show", "proto", String(ROUTE_PROTO)]), "", "node2 deleted: its route is gone");
    await p1.reset();
    await p2.reset();
    assert.equal(await show(2, ["ip", "route", "show", "proto", String(ROUTE_PROTO)]), "");
  });

  it("auto without a shared subnet: VXLAN (MTU - 50, FDB, neighbour, route per peer); traffic flows; a deleted Node takes its entries; reset removes the device", async () => {
    await buildNodes(32);
    const nodes = [nodeObject(1, `${underlay}.1`), nodeObject(2, `${underlay}.2`)];
    const [p1, p2] = programmers();
    await p1.sync(nodes);
    await p2.sync(nodes);
    const link = JSON.parse(await show(1, ["ip", "-json", "-d", "link", "show", "nlvx0"])) as { mtu: number; address: string; linkinfo: { info_kind: string; info_data: { id: number; port: number } } }[];
    assert.equal(link[0].linkinfo.info_kind, "vxlan");
    assert.deepEqual([link[0].linkinfo.info_data.id, link[0].linkinfo.info_data.port, link[0].mtu], [7, 4789, 1450]);
    const mac2 = `0a:58:0a:${(octet + 1).toString(16).padStart(2, "0")}:02:00`;
    assert.match(await show(1, ["bridge", "fdb", "show", "dev", "nlvx0"]), new RegExp(`${mac2} dst ${underlay}\\.2 self permanent`));
    assert.match(await show(1, ["ip", "neigh", "show", "dev", "nlvx0"]), new RegExp(`${podNet(2)}\\.0 lladdr ${mac2} PERMANENT`));
    assert.match(await show(1, ["ip", "route", "show", "proto", String(ROUTE_PROTO)]), new RegExp(`${podNet(2)}\\.0/24 via ${podNet(2)}\\.0 dev nlvx0 onlink`));
    const r = await ping(1, 2);
    assert.equal(r.code, 0, `pod A → pod B over VXLAN: ${r.stdout}${r.stderr}`);
    assert.equal((await ping(2, 1)).code, 0, "pod B → pod A over VXLAN");
    // Encapsulated: the underlay carried UDP to 4789 (the VXLAN device's tx counter moved).
    const stats = JSON.parse(await show(1, ["ip", "-json", "-s", "link", "show", "nlvx0"])) as { stats64: { tx: { packets: number } } }[];
    assert.ok(stats[0].stats64.tx.packets >= 2, "packets went out through the VXLAN device");

    // A second sync with nothing changed runs no batch (idempotent).
    await p1.sync(nodes);
    assert.equal((await ping(1, 2)).code, 0);

    await p1.sync([nodes[0]]);
    assert.equal(await show(1, ["ip", "link", "show", "nlvx0"]), "", "no VXLAN peer left: the device (with its entries) is gone");
    assert.equal(await show(1, ["ip", "route", "show", "proto", String(ROUTE_PROTO)]), "");
    assert.notEqual((await ping(1, 2)).code, 0, "no path once node2 is gone");
    await p2.reset();
    assert.equal(await show(2, ["ip", "link", "show", "nlvx0"]), "");
    assert.equal(await show(2, ["ip", "route", "show", "proto", String(ROUTE_PROTO)]), "");
  });
});
