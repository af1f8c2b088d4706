/**
 * metrics.k8s.io NodeMetrics where the pods' IO reaches other nodes' kubelets (the control plane): every Node's
 * metrics from its kubelet, a kubelet that fails left out of the list (as metrics-server leaves out a node it cannot
 * scrape), the label selector applied to the Nodes, and one node asked for by name NotFound when it has none.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { ApiError } from "../../../src/api/errors.js";
import type { Node, NodeMetrics } from "../../../src/api/types.js";
import { FakePodIO } from "../../helpers/fake-pod-io.js";
import { startTestServer, type TestServer } from "./harness.js";

class ClusterPodIO extends FakePodIO {
  nodeMetrics(node: Node): Promise<NodeMetrics> {
    if (node.metadata.name === "down") return Promise.reject(new Error("dial tcp: connection refused"));
    return Promise.resolve({ apiVersion: "metrics.k8s.io/v1beta1", kind: "NodeMetrics", metadata: { name: node.metadata.name, labels: node.metadata.labels }, timestamp: "2026-12-08T00:00:00Z", window: "10s", usage: { cpu: "5000000n", memory: "1024Ki" } });
  }
}

const node = (name: string, zone: string): Node => ({ apiVersion: "v1", kind: "Node", metadata: { name, labels: { zone } }, spec: {}, status: {} });

describe("NodeMetrics through the nodes' kubelets", () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ io: new ClusterPodIO() });
    for (const n of [node("a", "x"), node("down", "x"), node("c", "y")]) t.store.create(n);
  });
  after(() => t.close());

  test("a list names every node whose kubelet answered; the label selector picks Nodes", async () => {
    const all = await t.client.request<{ kind: string; items: NodeMetrics[] }>("GET", "/apis/metrics.k8s.io/v1beta1/nodes");
    assert.equal(all.kind, "NodeMetricsList");
    assert.deepEqual(all.items.map((m) => [m.metadata.name, m.usage.cpu]), [["a", "5000000n"], ["c", "5000000n"]]);
    const x = await t.client.request<{ items: NodeMetrics[] }>("GET", "/apis/metrics.k8s.io/v1beta1/nodes?labelSelector=zone%3Dx");
    assert.deepEqual(x.items.map((m) => m.metadata.name), ["a"]);
  });

  test("one node by name; one without metrics or not a Node is NotFound in metrics-server's words", async () => {
    const a = await t.client.request<NodeMetrics>("GET", "/apis/metrics.k8s.io/v1beta1/nodes/a");
    assert.deepEqual([a.kind, a.usage.memory], ["NodeMetrics", "1024Ki"]);
    for (const name of ["down", "nowhere"]) {
      await assert.rejects(t.client.request("GET", `/apis/metrics.k8s.io/v1beta1/nodes/${name}`), (e: ApiError) => e.code === 404 && e.message === `nodes.metrics.k8s.io "${name}" not found`);
    }
  });
});
