/**
 * `nodelet cluster up`'s plan, pure: every name, address, port and command derived from the options; bad options
 * refused naming their flag; names within the kernel's 15-character interface limit.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { clusterTag, controlPlaneArg, planCluster, replicasOf, serverOf, type ClusterOptions } from "../../../src/cmd/cluster/plan.js";

const opts = (o: Partial<ClusterOptions> = {}): ClusterOptions => ({
  root: "/var/lib/nodelet-cluster",
  nodes: 3,
  etcdMembers: 3,
  controlPlanes: 1,
  controlPlaneArgs: [],
  linkCIDR: "10.250.0.0/24",
  clusterCIDR: "10.244.0.0/16",
  serviceCIDR: "10.96.0.0/12",
  etcdPorts: [2001, 2002, 2003, 2004, 2005, 2006],
  nodelet: { node: "/usr/bin/node", script: "/opt/nodelet/bin/nodelet" },
  ...o,
});
const now = new Date("2026-12-07T21:00:00Z");

describe("cluster plan", () => {
  it("lays out etcd members, the control plane and the nodes from the options", () => {
    const m = planCluster(opts(), now);
    const tag = clusterTag("/var/lib/nodelet-cluster");
    assert.equal(m.state, "planned");
    assert.deepEqual(m.link, { bridge: `nlc${tag}`, cidr: "10.250.0.0/24", address: "10.250.0.1", prefix: 24 });
    assert.deepEqual(m.etcd.map((e) => [e.name, e.clientURL, e.peerURL]), [
      ["etcd1", "http://127.0.0.1:2001", "http://127.0.0.1:2002"],
      ["etcd2", "http://127.0.0.1:2003", "http://127.0.0.1:2004"],
      ["etcd3", "http://127.0.0.1:2005", "http://127.0.0.1:2006"],
    ]);
    const initial = m.etcd[1].command[m.etcd[1].command.indexOf("--initial-cluster") + 1];
    assert.equal(initial, "etcd1=http://127.0.0.1:2002,etcd2=http://127.0.0.1:2004,etcd3=http://127.0.0.1:2006");
    assert.equal(m.controlPlane.server, "https://10.250.0.1:6443");
    assert.deepEqual(m.controlPlane.command.slice(0, 3), ["/usr/bin/node", "/opt/nodelet/bin/nodelet", "control-plane"]);
    assert.ok(m.controlPlane.command.includes("http://127.0.0.1:2001,http://127.0.0.1:2003,http://127.0.0.1:2005"));
    assert.equal(m.kubeconfig, "/var/lib/nodelet-cluster/kubeconfig");
    assert.deepEqual(m.nodes.map((n) => [n.name, n.address, n.netns, n.cgroupParent, n.root]), [1, 2, 3].map((i) => [`node${i}`, `10.250.0.${10 + i}`, `nlc${tag}-node${i}`, `/nodelet-cluster-${tag}/node${i}`, `/var/lib/nodelet-cluster/nodes/node${i}`]));
    for (const n of m.nodes) {
      assert.ok(n.veth.length <= 15, `${n.veth} fits IFNAMSIZ`);
      assert.deepEqual(n.command.slice(0, 4), ["nsenter", `--mount=/var/lib/nodelet-cluster/ns/${n.name}.mnt`, `--net=/run/netns/${n.netns}`, "--"]);
      assert.ok(!n.command.includes("--token") && !n.command.includes("--server"), "the token never is on a command line");
      assert.equal(n.bootstrapKubeconfig, `/var/lib/nodelet-cluster/nodes/${n.name}/bootstrap-kubelet.conf`);
      assert.equal(n.command[n.command.indexOf("--bootstrap-kubeconfig") + 1], n.bootstrapKubeconfig);
      assert.deepEqual(n.restartCommand, n.command, "one command starts and restarts the agent");
    }
    assert.ok(m.link.bridge.length <= 15);
    assert.deepEqual(m.controlPlanes, [m.controlPlane], "one replica, no balancer");
    assert.equal(m.lb, undefined);
    assert.equal(m.server, "https://10.250.0.1:6443");
    assert.ok(!m.controlPlane.command.includes("--control-plane-endpoint"));
  });

  it("puts several replicas on the next addresses behind a balancer on the first, each with the flags given", () => {
    const m = planCluster(opts({ controlPlanes: 3, controlPlaneArgs: ["node-monitor-grace-period=20s", "--leader-elect-lease-duration=4s"] }), now);
    assert.equal(m.server, "https://10.250.0.1:6443");
    assert.deepEqual(m.controlPlanes!.map((c) => [c.name, c.address, c.server, c.root]), [
      ["control-plane", "10.250.0.2", "https://10.250.0.2:6443", "/var/lib/nodelet-cluster/control-plane"],
      ["control-plane2", "10.250.0.3", "https://10.250.0.3:6443", "/var/lib/nodelet-cluster/control-plane2"],
      ["control-plane3", "10.250.0.4", "https://10.250.0.4:6443", "/var/lib/nodelet-cluster/control-plane3"],
    ]);
    assert.equal(m.controlPlane, m.controlPlanes![0]);
    const flagOf = (argv: string[], f: string) => argv[argv.indexOf(f) + 1];
    for (const [i, c] of m.controlPlanes!.entries()) {
      assert.equal(flagOf(c.command, "--listen"), `${c.address}:6443`);
      assert.equal(flagOf(c.command, "--control-plane-endpoint"), "10.250.0.1:6443");
      assert.equal(flagOf(c.command, "--kubeconfig"), i === 0 ? "/var/lib/nodelet-cluster/kubeconfig" : `${c.root}/kubeconfig`, "the first replica writes the admin kubeconfig");
      assert.deepEqual(c.command.slice(-2), ["--node-monitor-grace-period=20s", "--leader-elect-lease-duration=4s"]);
    }
    assert.deepEqual(m.lb!.command.slice(2), ["cluster", "lb", "--listen", "10.250.0.1:6443", "--backend", "10.250.0.2:6443", "--backend", "10.250.0.3:6443", "--backend", "10.250.0.4:6443"]);
    assert.equal(m.lb!.pidFile, "/var/lib/nodelet-cluster/run/api-lb.pid");
  });

  it("passes --control-plane-arg as NAME=VALUE, and refuses the flags the plan sets", () => {
    assert.equal(controlPlaneArg("node-monitor-grace-period=20s"), "--node-monitor-grace-period=20s");
    assert.equal(controlPlaneArg("--verbose"), "--verbose");
    assert.throws(() => controlPlaneArg("listen=0.0.0.0:1"), /--control-plane-arg: --listen is set by cluster up/);
    assert.throws(() => controlPlaneArg("--etcd-servers=http://x"), /--etcd-servers is set by cluster up/);
    assert.throws(() => controlPlaneArg("two words"), /--control-plane-arg: "two words" is not NAME=VALUE/);
    assert.throws(() => planCluster(opts({ controlPlanes: 0 }), now), /--control-planes: 0 must be a whole number from 1 to 7/);
    assert.throws(() => planCluster(opts({ controlPlanes: 8 }), now), /--control-planes: 8/);
  });

  it("reads a manifest written before --control-planes as one replica", () => {
    const m = planCluster(opts(), now);
    const old = { ...m, controlPlanes: undefined, server: undefined, lb: undefined };
    assert.deepEqual(replicasOf(old), [m.controlPlane]);
    assert.equal(serverOf(old), m.controlPlane.server);
  });

  it("refuses bad options, naming the flag", () => {
    assert.throws(() => planCluster(opts({ nodes: 0 }), now), /--nodes: 0 must be a whole number from 1 to 64/);
    assert.throws(() => planCluster(opts({ nodes: 2.5 }), now), /--nodes/);
    assert.throws(() => planCluster(opts({ etcdMembers: 8, etcdPorts: [] }), now), /--etcd-members: 8/);
    assert.throws(() => planCluster(opts({ root: "relative" }), now), /--root: "relative" must be an absolute path/);
    assert.throws(() => planCluster(opts({ linkCIDR: "10.250.0.0/30" }), now), /--link-cidr/);
    assert.throws(() => planCluster(opts({ linkCIDR: "10.250.0.0/28", nodes: 5 }), now), /no room for 5 nodes/);
    assert.throws(() => planCluster(opts({ clusterCIDR: "nope" }), now), /--cluster-cidr: "nope"/);
  });

  it("names every host object after the root, so two clusters on two roots never share one", () => {
    const a = planCluster(opts({ root: "/tmp/a" }), now);
    const b = planCluster(opts({ root: "/tmp/b/" }), now);
    assert.notEqual(a.link.bridge, b.link.bridge);
    assert.notEqual(a.nodes[0].netns, b.nodes[0].netns);
    assert.equal(b.root, "/tmp/b", "a trailing slash names the same root");
  });
});
