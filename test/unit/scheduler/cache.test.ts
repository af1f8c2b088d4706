import assert from "node:assert/strict";
import { test } from "node:test";
import type { Pod } from "../../../src/api/types.js";
import { SchedulerCache } from "../../../src/scheduler/cache.js";
import { buildSnapshot } from "../../../src/scheduler/snapshot.js";
import type { Snapshot } from "../../../src/scheduler/types.js";
import { node, pod } from "./fixtures.js";

const added = (object: object) => ({ type: "ADDED", object });
const modified = (object: object) => ({ type: "MODIFIED", object });
const deleted = (object: object) => ({ type: "DELETED", object });

/** What a snapshot says about each node: its pods (uids, sorted) and summed requests. */
function view(s: Snapshot) {
  return s.nodes.map((n) => ({
    node: n.node.metadata.name,
    pods: n.pods.map((p) => p.metadata.uid).sort(),
    cpu: n.requested.cpuMilli,
    memory: n.requested.memoryBytes,
    nonZeroCpu: n.nonZeroRequested.cpuMilli,
  }));
}

test("binding, finishing and deleting pods move their requests between nodes; only changed nodes are rebuilt", () => {
  const c = new SchedulerCache();
  c.apply("Node", added(node("n1")));
  c.apply("Node", added(node("n2")));
  const a = pod("a", { cpu: "500m", memory: "1Gi" });
  c.apply("Pod", added(a));
  const first = c.snapshot();
  assert.deepEqual(view(first).map((n) => n.pods), [[], []]);
  assert.equal(c.counts().rebuiltInfos, 2);
  assert.equal(c.snapshot(), first, "nothing changed: the same snapshot");

  const bound: Pod = { ...a, spec: { ...a.spec, nodeName: "n2" } };
  c.apply("Pod", modified(bound));
  const second = c.snapshot();
  assert.notEqual(second, first);
  assert.deepEqual(view(second)[1], { node: "n2", pods: ["uid-a"], cpu: 500, memory: 1024 ** 3, nonZeroCpu: 500 });
  assert.equal(second.nodes[0], first.nodes[0], "n1's NodeInfo is reused");
  assert.equal(c.counts().rebuiltInfos, 3, "only n2 rebuilt");
  assert.deepEqual(view(first)[1].pods, [], "a snapshot handed out does not change");

  c.apply("Pod", modified({ ...bound, status: { phase: "Succeeded" } }));
  assert.deepEqual(view(c.snapshot())[1].pods, [], "a finished pod frees its node");
  c.apply("Pod", modified(bound));
  c.apply("Pod", deleted(bound));
  assert.deepEqual(view(c.snapshot())[1], { node: "n2", pods: [], cpu: 0, memory: 0, nonZeroCpu: 0 });
  assert.equal(c.pod("uid-a"), undefined);
});

test("a Node's change rebuilds its NodeInfo with the new allocatable; a deleted Node leaves the snapshot", () => {
  const c = new SchedulerCache();
  c.apply("Node", added(node("n1", { cpu: "2" })));
  assert.equal(c.snapshot().nodes[0].allocatable.cpuMilli, 2000);
  c.apply("Node", modified(node("n1", { cpu: "8" })));
  assert.equal(c.snapshot().nodes[0].allocatable.cpuMilli, 8000);
  c.apply("Node", deleted(node("n1")));
  assert.deepEqual(c.snapshot().nodes, []);
});

test("nominated pods, namespace labels, selectors and storage objects follow their events", () => {
  const c = new SchedulerCache();
  const p = pod("hi");
  const nominated: Pod = { ...p, status: { nominatedNodeName: "n1" } };
  c.apply("Pod", added(nominated));
  assert.deepEqual(c.snapshot().nominated.map((x) => x.metadata.name), ["hi"]);
  c.apply("Pod", modified({ ...nominated, metadata: { ...p.metadata, deletionTimestamp: "2026-01-01T00:00:00Z" } }));
  assert.deepEqual(c.snapshot().nominated, [], "a deleting pod holds no room");

  c.apply("Namespace", added({ metadata: { name: "team", labels: { env: "prod" } } }));
  const before = c.snapshot();
  c.apply("Namespace", modified({ metadata: { name: "team", labels: { env: "dev" } } }));
  assert.deepEqual(c.snapshot().namespaceLabels("team"), { env: "dev" });
  assert.deepEqual(before.namespaceLabels("team"), { env: "prod" }, "an earlier snapshot keeps what it saw");

  c.apply("Service", added({ metadata: { name: "web", namespace: "team" }, spec: { selector: { app: "web" } } }));
  c.apply("Service", added({ metadata: { name: "headless", namespace: "team" }, spec: {} }));
  assert.deepEqual(c.snapshot().spreadSources.services, [{ namespace: "team", selector: { app: "web" } }]);
  c.apply("Service", deleted({ metadata: { name: "web", namespace: "team" } }));
  assert.deepEqual(c.snapshot().spreadSources.services, []);

  c.apply("ReplicationController", added({ metadata: { name: "rc", namespace: "team" }, spec: { selector: { app: "a" } } }));
  c.apply("ReplicaSet", added({ metadata: { name: "rs", namespace: "team" }, spec: { selector: { matchLabels: { app: "b" } } } }));
  const spread = c.snapshot().spreadSources;
  assert.deepEqual(spread.controllerSelector("ReplicationController", "team", "rc"), { matchLabels: { app: "a" } });
  assert.deepEqual(spread.controllerSelector("ReplicaSet", "team", "rs"), { matchLabels: { app: "b" } });
  c.apply("ReplicaSet", deleted({ metadata: { name: "rs", namespace: "team" } }));
  assert.equal(c.snapshot().spreadSources.controllerSelector("ReplicaSet", "team", "rs"), undefined);

  const claim = { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "data", namespace: "team" }, spec: {} };
  c.apply("PersistentVolumeClaim", added(claim));
  c.apply("PersistentVolume", added({ apiVersion: "v1", kind: "PersistentVolume", metadata: { name: "pv1" }, spec: {} }));
  c.apply("StorageClass", added({ apiVersion: "storage.k8s.io/v1", kind: "StorageClass", metadata: { name: "local" }, provisioner: "x" }));
  const vols = c.snapshot().volumes;
  assert.equal(vols.claim("team", "data")?.metadata.name, "data");
  assert.deepEqual(vols.volumes.map((v) => v.metadata.name), ["pv1"]);
  assert.equal(vols.storageClass("local")?.metadata.name, "local");
  c.apply("PersistentVolumeClaim", deleted(claim));
  assert.equal(c.snapshot().volumes.claim("team", "data"), undefined);
  c.apply("Pod", { type: "BOOKMARK", object: { metadata: { resourceVersion: "9" } } });
  assert.equal(c.counts().pods, 1, "a bookmark changes nothing");
});

test("after any sequence of events the cache's snapshot is the snapshot of the objects that remain", () => {
  // A small deterministic generator (no Math.random: the same sequence every run).
  let seed = 7;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const c = new SchedulerCache();
  const nodes = new Map<string, ReturnType<typeof node>>();
  const pods = new Map<string, Pod>();
  for (let step = 0; step < 2000; step++) {
    const r = rnd(10);
    if (r < 2) {
      const name = `n${rnd(6)}`;
      const n = node(name, { cpu: String(1 + rnd(8)) });
      if (nodes.has(name) && rnd(3) === 0) {
        nodes.delete(name);
        c.apply("Node", deleted(n));
      } else {
        c.apply("Node", nodes.has(name) ? modified(n) : added(n));
        nodes.set(name, n);
      }
    } else {
      const name = `p${rnd(40)}`;
      const old = pods.get(name);
      if (old && rnd(5) === 0) {
        pods.delete(name);
        c.apply("Pod", deleted(old));
        continue;
      }
      const phase = (["Pending", "Running", "Succeeded"] as const)[rnd(3)];
      const p = pod(name, { cpu: `${100 * (1 + rnd(5))}m`, node: rnd(3) ? `n${rnd(6)}` : undefined });
      const next: Pod = { ...p, status: { phase, ...(rnd(4) === 0 ? { nominatedNodeName: "n1" } : {}) } };
      c.apply("Pod", old ? modified(next) : added(next));
      pods.set(name, next);
    }
    if (step % 50 === 0) {
      // Worked out from the objects directly: a node holds its bound pods that have not finished.
      const milli = (p: Pod) => parseInt(p.spec.containers[0].resources?.requests?.cpu ?? "0", 10);
      const want = [...nodes.keys()].sort().map((name) => {
        const on = [...pods.values()].filter((p) => p.spec.nodeName === name && p.status?.phase !== "Succeeded");
        return { node: name, pods: on.map((p) => p.metadata.uid).sort(), cpu: on.reduce((a, p) => a + milli(p), 0) };
      });
      const got = c.snapshot();
      const seen = view(got).map(({ node: n, pods: ps, cpu }) => ({ node: n, pods: ps, cpu })).sort((x, y) => String(x.node).localeCompare(String(y.node)));
      assert.deepEqual(seen, want, `step ${step}`);
      const nominated = [...pods.values()].filter((p) => !p.spec.nodeName && p.status?.nominatedNodeName).map((p) => p.metadata.uid).sort();
      assert.deepEqual(got.nominated.map((p) => p.metadata.uid).sort(), nominated, `step ${step}`);
      assert.deepEqual(view(buildSnapshot({ nodes: [...nodes.values()], pods: [...pods.values()] })).length, want.length);
    }
  }
});
