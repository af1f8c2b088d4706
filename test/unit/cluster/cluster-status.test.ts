/**
 * `nodelet cluster status`'s table from a ClusterStatus: one row per part, each part's state in one word (a
 * replica's with the Leases it leads); the leader election metric it reads them from.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatStatus, type ClusterStatus } from "../../../src/cmd/cluster/status.js";
import { LeaderStatus, leasesLed } from "../../../src/metrics/leader-election.js";
import { Registry } from "../../../src/metrics/registry.js";

const status: ClusterStatus = {
  root: "/var/lib/nodelet-cluster",
  state: "up",
  kubeconfig: "/var/lib/nodelet-cluster/kubeconfig",
  server: "https://10.250.0.1:6443",
  link: { bridge: "nlc1a2b3c", cidr: "10.250.0.0/24" },
  etcd: [
    { name: "etcd1", pid: 10, clientURL: "http://127.0.0.1:40001", healthy: true },
    { name: "etcd2", pid: null, clientURL: "http://127.0.0.1:40003", healthy: false },
  ],
  controlPlane: { pid: 20, server: "https://10.250.0.1:6443", healthy: true },
  controlPlanes: [{ name: "control-plane", pid: 20, server: "https://10.250.0.1:6443", healthy: true, leads: ["kube-controller-manager", "kube-scheduler"] }],
  lb: null,
  leaders: { "kube-controller-manager": "control-plane", "kube-scheduler": "control-plane" },
  nodes: [
    { name: "node1", pid: 30, address: "10.250.0.11", netns: "nlc1a2b3c-node1", root: "/r/nodes/node1", ready: "True" },
    { name: "node2", pid: 31, address: "10.250.0.12", netns: "nlc1a2b3c-node2", root: "/r/nodes/node2", ready: "Unknown" },
    { name: "node3", pid: 32, address: "10.250.0.13", netns: "nlc1a2b3c-node3", root: "/r/nodes/node3", ready: null },
  ],
  healthy: false,
};

describe("cluster status table", () => {
  it("names each part's state: Healthy, NotRunning, Ready, NotReady, NotRegistered", () => {
    const lines = formatStatus(status).trimEnd().split("\n");
    assert.equal(lines[0], "cluster /var/lib/nodelet-cluster (up), kubeconfig /var/lib/nodelet-cluster/kubeconfig");
    assert.match(lines[1], /^ROLE\s+NAME\s+PID\s+ADDRESS\s+STATUS$/);
    const rows = lines.slice(2).map((l) => l.split(/\s+/));
    assert.deepEqual(rows, [
      ["etcd", "etcd1", "10", "http://127.0.0.1:40001", "Healthy"],
      ["etcd", "etcd2", "-", "http://127.0.0.1:40003", "NotRunning"],
      ["control-plane", "control-plane", "20", "https://10.250.0.1:6443", "Healthy,Leader"],
      ["node", "node1", "30", "10.250.0.11", "Ready"],
      ["node", "node2", "31", "10.250.0.12", "NotReady"],
      ["node", "node3", "32", "10.250.0.13", "NotRegistered"],
    ]);
  });

  it("shows the balancer and each replica: the leader, a standby, one leading the scheduler alone, one down", () => {
    const several: ClusterStatus = {
      ...status,
      server: "https://10.250.0.1:6443",
      lb: { pid: 19, server: "https://10.250.0.1:6443", healthy: true },
      controlPlanes: [
        { name: "control-plane", pid: 20, server: "https://10.250.0.2:6443", healthy: true, leads: ["kube-controller-manager"] },
        { name: "control-plane2", pid: 21, server: "https://10.250.0.3:6443", healthy: true, leads: [] },
        { name: "control-plane3", pid: 22, server: "https://10.250.0.4:6443", healthy: true, leads: ["kube-scheduler"] },
        { name: "control-plane4", pid: null, server: "https://10.250.0.5:6443", healthy: false, leads: [] },
      ],
    };
    const rows = formatStatus(several).trimEnd().split("\n").slice(2).map((l) => l.split(/\s+/)).filter((r) => r[0] !== "etcd" && r[0] !== "node");
    assert.deepEqual(rows, [
      ["load-balancer", "api-lb", "19", "https://10.250.0.1:6443", "Healthy"],
      ["control-plane", "control-plane", "20", "https://10.250.0.2:6443", "Healthy,Leader:kube-controller-manager"],
      ["control-plane", "control-plane2", "21", "https://10.250.0.3:6443", "Healthy,Standby"],
      ["control-plane", "control-plane3", "22", "https://10.250.0.4:6443", "Healthy,Leader:kube-scheduler"],
      ["control-plane", "control-plane4", "-", "https://10.250.0.5:6443", "NotRunning"],
    ]);
  });
});

describe("leader_election_master_status", () => {
  it("reports each Lease a candidate is in, 1 while it leads, and reads back as the Leases led", async () => {
    const leaders = new LeaderStatus();
    const registry = new Registry();
    registry.collect(() => leaders.families());
    assert.equal(await registry.render(), "", "no election, no metric");
    leaders.set("kube-scheduler", false);
    leaders.set("kube-controller-manager", true);
    const text = await registry.render();
    assert.match(text, /^# TYPE leader_election_master_status gauge$/m);
    assert.match(text, /^leader_election_master_status\{name="kube-controller-manager"\} 1$/m);
    assert.match(text, /^leader_election_master_status\{name="kube-scheduler"\} 0$/m);
    assert.deepEqual(leasesLed(text), ["kube-controller-manager"]);
    leaders.set("kube-scheduler", true);
    assert.deepEqual(leasesLed(await registry.render()), ["kube-controller-manager", "kube-scheduler"]);
  });
});
