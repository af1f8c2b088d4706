/**
 * PodTopologySpread and InterPodAffinity on worked examples: skew against the global minimum, minDomains, the node
 * inclusion policies, the missing-label refusal, the score's log weights and normalization, the system default
 * constraints over a ReplicaSet's selector; required affinity (and the first pod of a self-affine group), required
 * anti-affinity both ways (existing pods' terms, namespaces), and the preferred weights normalized min → 0, max → 100.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { PodAffinityTerm, PodSpec, TopologySpreadConstraint } from "../../../src/api/types.js";
import { interPodAffinity } from "../../../src/scheduler/plugins/inter-pod-affinity.js";
import { podTopologySpread } from "../../../src/scheduler/plugins/pod-topology-spread.js";
import { filterOf, node, pod, scoresOf, snapshot } from "./fixtures.js";

const web = { app: "web" };
const spread = (c: Partial<TopologySpreadConstraint>): Partial<PodSpec> => ({
  topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "zone", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: web }, ...c }],
});
const SKEW = "node(s) didn't match pod topology spread constraints";
const zoned = (name: string, zone: string, o = {}) => node(name, { labels: { zone }, ...o });

test("PodTopologySpread filter: count + self − global minimum ≤ maxSkew; a node without the key is refused", () => {
  const nodes = [zoned("n1", "a"), zoned("n2", "a"), zoned("n3", "b"), node("n4")];
  const pods = [pod("w1", { node: "n1", labels: web }), pod("w2", { node: "n1", labels: web })];
  const snap = snapshot(nodes, pods);
  assert.deepEqual(filterOf(podTopologySpread, pod("p", { labels: web, ...spread({}) }), snap), [SKEW, SKEW, "", `${SKEW} (missing required label)`]);
  // A pod its own selector does not match adds nothing: zone a's 2 − 0 = 2 > 1 still; maxSkew 2 lets it in.
  assert.deepEqual(filterOf(podTopologySpread, pod("p", { labels: { app: "other" }, ...spread({}) }), snap).slice(0, 3), [SKEW, SKEW, ""]);
  assert.deepEqual(filterOf(podTopologySpread, pod("p", { labels: { app: "other" }, ...spread({ maxSkew: 2 }) }), snap).slice(0, 3), ["", "", ""]);
  // Pods of another namespace or being deleted are not counted.
  const other = snapshot(nodes, [pod("w1", { node: "n1", labels: web, namespace: "x" }), { ...pod("w2", { node: "n1", labels: web }), metadata: { ...pod("w2").metadata, labels: web, deletionTimestamp: "2026-01-01T00:00:00Z" } }]);
  assert.deepEqual(filterOf(podTopologySpread, pod("p", { labels: web, ...spread({}) }), other).slice(0, 3), ["", "", ""]);
  // ScheduleAnyway constraints never filter.
  assert.deepEqual(filterOf(podTopologySpread, pod("p", { labels: web, ...spread({ whenUnsatisfiable: "ScheduleAnyway" }) }), snap), ["", "", "", ""]);
});

test("PodTopologySpread minDomains: with fewer domains than minDomains the minimum counts as 0", () => {
  const snap = snapshot([node("h1"), node("h2")], [pod("w1", { node: "h1", labels: web }), pod("w2", { node: "h2", labels: web })]);
  const p = (minDomains?: number) => pod("p", { labels: web, ...spread({ topologyKey: "kubernetes.io/hostname", minDomains }) });
  assert.deepEqual(filterOf(podTopologySpread, p(), snap), ["", ""]);
  assert.deepEqual(filterOf(podTopologySpread, p(3), snap), [SKEW, SKEW]);
});

test("PodTopologySpread node inclusion: nodeAffinityPolicy Honor (default) and nodeTaintsPolicy Honor drop domains", () => {
  const nodes = [zoned("n1", "a"), zoned("n3", "b", { taints: [{ key: "t", effect: "NoSchedule" }] })];
  const snap = snapshot(nodes, [pod("w1", { node: "n1", labels: web })]);
  // Only zone a is counted for a pod that selects zone a: its minimum is 1, so 1 + 1 − 1 = 1 fits.
  assert.deepEqual(filterOf(podTopologySpread, pod("p", { labels: web, nodeSelector: { zone: "a" }, ...spread({}) }), snap)[0], "");
  assert.deepEqual(filterOf(podTopologySpread, pod("p", { labels: web, nodeSelector: { zone: "a" }, ...spread({ nodeAffinityPolicy: "Ignore" }) }), snap)[0], SKEW);
  // Taints are ignored by default (zone b counts with 0); Honor leaves the tainted node's zone out.
  assert.deepEqual(filterOf(podTopologySpread, pod("p", { labels: web, ...spread({}) }), snap)[0], SKEW);
  assert.deepEqual(filterOf(podTopologySpread, pod("p", { labels: web, ...spread({ nodeTaintsPolicy: "Honor" }) }), snap)[0], "");
});

test("PodTopologySpread matchLabelKeys narrows the selector to pods with the incoming pod's values", () => {
  const snap = snapshot([zoned("n1", "a"), zoned("n2", "b")], [pod("old", { node: "n1", labels: { ...web, rev: "1" } })]);
  const p = (keys?: string[]) => pod("p", { labels: { ...web, rev: "2" }, ...spread({ matchLabelKeys: keys }) });
  assert.deepEqual(filterOf(podTopologySpread, p(), snap), [SKEW, ""]);
  assert.deepEqual(filterOf(podTopologySpread, p(["rev"]), snap), ["", ""]);
});

test("PodTopologySpread score: count · log(domains + 2) + maxSkew − 1, normalized so the emptiest domain gets 100", () => {
  const snap = snapshot([node("h1"), node("h2"), node("h3")], [pod("a", { node: "h1", labels: web }), pod("b", { node: "h1", labels: web }), pod("c", { node: "h3", labels: web })]);
  const p = pod("p", { labels: web, ...spread({ topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway" }) });
  // log(5) = 1.609: h1 round(3.22) = 3, h2 0, h3 round(1.61) = 2 → 100·(3 + 0 − s)/3.
  assert.deepEqual(scoresOf(podTopologySpread, p, snap), [0, 100, 33]);
  // Nodes without the key are ignored (score 0) when the pod sets its own constraints.
  const zones = snapshot([zoned("z1", "a"), zoned("z2", "b"), node("bare")], [pod("a", { node: "z1", labels: web })]);
  assert.deepEqual(scoresOf(podTopologySpread, pod("p", { labels: web, ...spread({ whenUnsatisfiable: "ScheduleAnyway" }) }), zones), [0, 100, 0]);
});

test("PodTopologySpread defaults: hostname (maxSkew 3) and zone (maxSkew 5) over the controller's selector", () => {
  const owner = { apiVersion: "apps/v1", kind: "ReplicaSet", name: "rs", uid: "rs-uid", controller: true };
  const owned = (name: string, nodeName?: string) => {
    const p = pod(name, { labels: web, node: nodeName });
    p.metadata.ownerReferences = [owner];
    return p;
  };
  const inZone = (name: string) => node(name, { labels: { "topology.kubernetes.io/zone": "a" } });
  const nodes = [inZone("h1"), inZone("h2"), node("h3")];
  const controllers = [{ kind: "ReplicaSet", metadata: { namespace: "default", name: "rs" }, spec: { selector: { matchLabels: web } } }];
  const snap = snapshot(nodes, [owned("a", "h1"), owned("b", "h1"), owned("c", "h1")], { controllers });
  // hostname weight log(5), zone weight log(4) (values "a" and "" among the feasible nodes):
  // h1 = 3·1.609 + 2 + 3·1.386 + 4 → 15; h2 = 2 + 3·1.386 + 4 → 10; h3 = 2 (no zone label) → 100·(17 − s)/15.
  assert.deepEqual(scoresOf(podTopologySpread, owned("new"), snap), [13, 46, 100]);
  // A pod nothing selects gets no default constraints.
  assert.deepEqual(scoresOf(podTopologySpread, pod("lone", { labels: web }), snap), [0, 0, 0]);
  // A Service selecting the pod counts as well: h1 = 1.609 + 2 + 1.386 + 4 → 9, h2 → 7, h3 → 2.
  const services = [{ metadata: { namespace: "default" }, spec: { selector: web } }];
  assert.deepEqual(scoresOf(podTopologySpread, pod("svc", { labels: web }), snapshot(nodes, [pod("a", { node: "h1", labels: web })], { services })), [22, 44, 100]);
});

const term = (labels: Record<string, string>, topologyKey = "zone", extra: Partial<PodAffinityTerm> = {}): PodAffinityTerm => ({ labelSelector: { matchLabels: labels }, topologyKey, ...extra });
const AFFINITY = "node(s) didn't match pod affinity rules";
const ANTI = "node(s) didn't match pod anti-affinity rules";
const EXISTING_ANTI = "node(s) didn't satisfy existing pods anti-affinity rules";

test("InterPodAffinity required affinity: a matching pod in the node's domain; a self-affine first pod goes anywhere", () => {
  const nodes = [zoned("n1", "a"), zoned("n2", "a"), zoned("n3", "b"), node("n4")];
  const snap = snapshot(nodes, [pod("db", { node: "n1", labels: { app: "db" } })]);
  const wantsDb = pod("p", { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: "db" })] } } });
  assert.deepEqual(filterOf(interPodAffinity, wantsDb, snap), ["", "", AFFINITY, AFFINITY]);
  const selfAffine = pod("w", { labels: web, affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term(web)] } } });
  assert.deepEqual(filterOf(interPodAffinity, selfAffine, snap), ["", "", "", AFFINITY], "no web pod yet: any node with the key");
  const notSelf = pod("w", { labels: { app: "x" }, affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term(web)] } } });
  assert.deepEqual(filterOf(interPodAffinity, notSelf, snap), [AFFINITY, AFFINITY, AFFINITY, AFFINITY]);
  // Another namespace's db pod does not count unless the term names that namespace.
  const elsewhere = snapshot(nodes, [pod("db", { node: "n1", labels: { app: "db" }, namespace: "data" })]);
  assert.deepEqual(filterOf(interPodAffinity, wantsDb, elsewhere), [AFFINITY, AFFINITY, AFFINITY, AFFINITY]);
  const named = pod("p", { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: "db" }, "zone", { namespaces: ["data"] })] } } });
  assert.deepEqual(filterOf(interPodAffinity, named, elsewhere), ["", "", AFFINITY, AFFINITY]);
});

test("InterPodAffinity anti-affinity: the pod's own terms and existing pods' terms, in their topology", () => {
  const nodes = [zoned("n1", "a"), zoned("n2", "a"), zoned("n3", "b")];
  const snap = snapshot(nodes, [pod("w", { node: "n1", labels: web })]);
  const apart = pod("p", { labels: web, affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term(web, "kubernetes.io/hostname")] } } });
  assert.deepEqual(filterOf(interPodAffinity, apart, snap), [ANTI, "", ""]);
  // An existing pod that wants no web pod in its zone keeps web pods out of zone a.
  const guard = pod("g", { node: "n1", labels: { app: "guard" }, affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term(web)] } } });
  const guarded = snapshot(nodes, [guard]);
  assert.deepEqual(filterOf(interPodAffinity, pod("p", { labels: web }), guarded), [EXISTING_ANTI, EXISTING_ANTI, ""]);
  assert.deepEqual(filterOf(interPodAffinity, pod("p", { labels: web, namespace: "other" }), guarded), ["", "", ""], "the guard's term covers its own namespace");
  const everywhere = pod("g", { node: "n1", labels: { app: "guard" }, affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term(web, "zone", { namespaceSelector: {} })] } } });
  assert.deepEqual(filterOf(interPodAffinity, pod("p", { labels: web, namespace: "other" }), snapshot(nodes, [everywhere])), [EXISTING_ANTI, EXISTING_ANTI, ""]);
  const labelled = pod("g", { node: "n1", labels: { app: "guard" }, affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term(web, "zone", { namespaceSelector: { matchLabels: { team: "x" } } })] } } });
  const ns = [{ metadata: { name: "other", labels: { team: "x" } } }];
  assert.deepEqual(filterOf(interPodAffinity, pod("p", { labels: web, namespace: "other" }), snapshot(nodes, [labelled], { namespaces: ns })), [EXISTING_ANTI, EXISTING_ANTI, ""]);
});

test("InterPodAffinity score: preferred weights per domain, existing pods' terms count too, min → 0 and max → 100", () => {
  const nodes = [zoned("n1", "a"), zoned("n2", "a"), zoned("n3", "b")];
  const snap = snapshot(nodes, [pod("db", { node: "n1", labels: { app: "db" } })]);
  const prefers = (w: number): Partial<PodSpec> => ({ affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: w, podAffinityTerm: term({ app: "db" }) }] } } });
  assert.deepEqual(scoresOf(interPodAffinity, pod("p", prefers(10)), snap), [100, 100, 0]);
  const avoids = pod("p", { affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: term({ app: "db" }) }] } } });
  assert.deepEqual(scoresOf(interPodAffinity, avoids, snap), [0, 0, 100]);
  // An existing pod's required affinity to the incoming pod adds hardPodAffinityWeight (1) to its domain.
  const wantsWeb = pod("x", { node: "n3", labels: { app: "x" }, affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term(web)] } } });
  assert.deepEqual(scoresOf(interPodAffinity, pod("p", { labels: web }), snapshot(nodes, [wantsWeb])), [0, 0, 100]);
  // Its preferred anti-affinity against the incoming pod subtracts its weight.
  const shy = pod("s", { node: "n1", labels: { app: "s" }, affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, podAffinityTerm: term(web) }] } } });
  assert.deepEqual(scoresOf(interPodAffinity, pod("p", { labels: web }), snapshot(nodes, [shy])), [0, 0, 100]);
  assert.deepEqual(scoresOf(interPodAffinity, pod("p"), snap), [0, 0, 0], "nothing to score: skipped");
});
