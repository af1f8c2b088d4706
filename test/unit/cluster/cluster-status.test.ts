/**
 * `nodelet cluster status`'s table from a ClusterStatus: one row per part, each part's state in one word.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatStatus, type ClusterStatus } from "../../../src/cmd/cluster/status.js";

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
      ["control-plane", "control-plane", "20", "https://10.250.0.1:6443", "Healthy"],
      ["node", "node1", "30", "10.250.0.11", "Ready"],
      ["node", "node2", "31", "10.250.0.12", "NotReady"],
      ["node", "node3", "32", "10.250.0.13", "NotRegistered"],
    ]);
  });
});
