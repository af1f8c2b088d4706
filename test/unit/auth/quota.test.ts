/**
 * LimitRange and ResourceQuota without a server: validation of both kinds (with upstream's messages), the
 * LimitRanger's defaults and annotation, its bounds for containers, pods and claims, what objects count against a
 * quota (finished pods not, init containers as a floor, node ports, storage per class, count/<resource>), the
 * admission's refusals (`failed quota`, `exceeded quota: ... requested/used/limited`) and charging, scopes, and the
 * controller keeping status.used current; the protobuf body kubectl create quota sends.
 */
import assert from "node:assert/strict";
import { setImmediate as tick } from "node:timers/promises";
import { describe, it } from "node:test";
import { admitCreate } from "../../../src/api/admission.js";
import { ApiError } from "../../../src/api/errors.js";
import { objectUsage, podConstraints, prettyPrint, quotaUsed, toResourceList, toUsage } from "../../../src/api/quota-usage.js";
import type { LimitRange, QuotaScope, ResourceQuota } from "../../../src/api/quota.js";
import type { Container, KubeObject, PersistentVolumeClaim, Pod, Service } from "../../../src/api/types.js";
import { applyDefaults, validateClaimLimits, validatePodLimits } from "../../../src/auth/quota/limit-ranger.js";
import { chargeQuotas } from "../../../src/auth/quota/resource-quota.js";
import { ResourceQuotaController } from "../../../src/controllers/resource-quota.js";
import { decodeKubernetesProtobuf } from "../../../src/apiserver/protobuf/decode.js";
import { openStore } from "../../../src/store/sqlite-store.js";

const NOW = Date.parse("2026-12-07T00:00:00Z");

function pod(name: string, containers: Partial<Container>[], extra: Partial<Pod["spec"]> = {}): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "team" },
    spec: { containers: containers.map((c, i) => ({ name: `c${i}`, image: "busybox", ...c })), ...extra },
  };
}
const res = (requests?: Record<string, string>, limits?: Record<string, string>) => ({ resources: { requests, limits } });
const quota = (name: string, hard: Record<string, string>, used?: Record<string, string>, scopes?: QuotaScope[]): ResourceQuota => ({
  apiVersion: "v1",
  kind: "ResourceQuota",
  metadata: { name, namespace: "team" },
  spec: { hard, scopes },
  status: used ? { hard, used } : undefined,
});
const range = (limits: LimitRange["spec"]["limits"]): LimitRange => ({ apiVersion: "v1", kind: "LimitRange", metadata: { name: "lr", namespace: "team" }, spec: { limits } });

describe("validation", () => {
  const invalid = (obj: unknown, message: RegExp) => assert.throws(() => admitCreate(obj as KubeObject, { nodeName: "n" }), (e: unknown) => e instanceof ApiError && e.code === 422 && message.test(e.message));
  it("a quota's resources must be quota resources with valid quantities; scopes must not conflict", () => {
    invalid(quota("q", { "requests.gpu": "1" }), /spec.hard\[requests.gpu\]: Invalid value: "requests.gpu": must be a standard resource for quota/);
    invalid(quota("q", { pods: "-1" }), /spec.hard\[pods\]: Invalid value: "-1": must be greater than or equal to 0/);
    invalid({ ...quota("q", { pods: "1" }), spec: { hard: { pods: "1" }, scopes: ["Terminating", "NotTerminating"] } }, /spec.scopes: Invalid value: .*conflicting scopes/);
    const ok = admitCreate(quota("q", { "requests.cpu": "1000m", "count/deployments.apps": "2" }) as KubeObject, { nodeName: "n" }) as ResourceQuota;
    assert.deepEqual(ok.spec?.hard, { "requests.cpu": "1", "count/deployments.apps": "2" });
    assert.deepEqual(ok.status, {});
  });
  it("a LimitRange's values must be ordered min ≤ defaultRequest ≤ default ≤ max; a Container item's defaults follow max", () => {
    invalid(range([{ type: "Container", min: { cpu: "1" }, max: { cpu: "500m" } }]), /spec.limits\[0\].min\[cpu\]: Invalid value: "1": min value 1 is greater than max value 500m/);
    invalid(range([{ type: "Pod", default: { cpu: "1" } }]), /spec.limits\[0\].default: Forbidden: may not be specified when `type` is 'Pod'/);
    invalid(range([{ type: "Node" as "Pod" }]), /spec.limits\[0\].type: Unsupported value: "Node"/);
    const lr = admitCreate(range([{ type: "Container", max: { cpu: "2" }, min: { memory: "64Mi" } }]) as KubeObject, { nodeName: "n" }) as LimitRange;
    assert.deepEqual(lr.spec.limits[0].default, { cpu: "2" });
    assert.deepEqual(lr.spec.limits[0].defaultRequest, { cpu: "2", memory: "64Mi" });
  });
});

describe("LimitRanger", () => {
  const lr = range([{ type: "Container", default: { cpu: "500m", memory: "256Mi" }, defaultRequest: { cpu: "200m" }, min: { cpu: "50m" }, max: { cpu: "1" }, maxLimitRequestRatio: { cpu: "4" } }]);
  it("fills missing requests and limits and says so in the annotation", () => {
    const p = pod("web", [{}, res({ cpu: "200m" }, { cpu: "400m" })], { initContainers: [{ name: "init", image: "busybox" }] });
    const note = applyDefaults(p, [lr]);
    assert.equal(note, "LimitRanger plugin set: cpu request for container c0; cpu, memory limit for container c0; memory limit for container c1; cpu request for init container init; cpu, memory limit for init container init");
    assert.equal(p.metadata.annotations?.["kubernetes.io/limit-ranger"], note);
    assert.deepEqual(p.spec.containers[0].resources, { limits: { cpu: "500m", memory: "256Mi" }, requests: { cpu: "200m" } });
    assert.deepEqual(p.spec.containers[1].resources, { requests: { cpu: "200m" }, limits: { cpu: "400m", memory: "256Mi" } });
    assert.deepEqual(validatePodLimits(p, [lr]), []);
  });
  it("bounds: min, max and the limit-to-request ratio, in upstream's words", () => {
    assert.deepEqual(validatePodLimits(pod("p", [res({ cpu: "10m" }, { cpu: "2" })]), [lr]), [
      "minimum cpu usage per Container is 50m, but request is 10m",
      "maximum cpu usage per Container is 1, but limit is 2",
      "cpu max limit to request ratio per Container is 4, but provided ratio is 200.000000",
    ]);
    assert.deepEqual(validatePodLimits(pod("p", [{}]), [range([{ type: "Container", max: { memory: "1Gi" } }])]), ["maximum memory usage per Container is 1Gi.  No limit is specified"]);
    const podItem = range([{ type: "Pod", max: { memory: "1Gi" } }]);
    assert.deepEqual(validatePodLimits(pod("p", [res({}, { memory: "600Mi" }), res({}, { memory: "600Mi" })]), [podItem]), ["maximum memory usage per Pod is 1Gi, but limit is 1200Mi"]);
  });
  it("claims: storage between min and max", () => {
    const pvc = { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "c", namespace: "team" }, spec: { resources: { requests: { storage: "5Gi" } } } } as PersistentVolumeClaim;
    assert.deepEqual(validateClaimLimits(pvc, [range([{ type: "PersistentVolumeClaim", min: { storage: "1Gi" }, max: { storage: "2Gi" } }])]), ["maximum storage usage per PersistentVolumeClaim is 2Gi, but request is 5Gi"]);
  });
});

describe("what counts against a quota", () => {
  it("a pod: containers summed, init containers a floor, cpu also as requests.cpu; a finished pod only its count", () => {
    const p = pod("p", [res({ cpu: "250m", memory: "64Mi" }, { cpu: "500m" }), res({ cpu: "250m" })], { initContainers: [{ name: "i", image: "b", ...res({ cpu: "1" }) }] });
    assert.deepEqual(toResourceList(objectUsage(p, NOW)), { "count/pods": "1", cpu: "1", "limits.cpu": "500m", memory: "64Mi", pods: "1", "requests.cpu": "1", "requests.memory": "64Mi" });
    assert.deepEqual(toResourceList(objectUsage({ ...p, status: { phase: "Succeeded" } } as Pod, NOW)), { "count/pods": "1" });
    const leaving = { ...p, metadata: { ...p.metadata, deletionTimestamp: new Date(NOW - 60_000).toISOString(), deletionGracePeriodSeconds: 30 } };
    assert.equal(objectUsage(leaving, NOW).has("pods"), false);
  });
  it("services, claims per storage class, count/<resource>.<group>", () => {
    const svc = { apiVersion: "v1", kind: "Service", metadata: { name: "s" }, spec: { type: "NodePort", ports: [{ port: 80 }, { port: 443 }] } } as Service;
    assert.deepEqual(toResourceList(objectUsage(svc, NOW)), { "count/services": "1", services: "1", "services.nodeports": "2" });
    const pvc = { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "c" }, spec: { storageClassName: "fast", resources: { requests: { storage: "1Gi" } } } } as PersistentVolumeClaim;
    assert.deepEqual(toResourceList(objectUsage(pvc, NOW)), {
      "count/persistentvolumeclaims": "1",
      "fast.storageclass.storage.k8s.io/persistentvolumeclaims": "1",
      "fast.storageclass.storage.k8s.io/requests.storage": "1Gi",
      persistentvolumeclaims: "1",
      "requests.storage": "1Gi",
    });
    assert.deepEqual(toResourceList(objectUsage({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d" } }, NOW)), { "count/deployments.apps": "1" });
  });
  it("a quota on cpu or memory requires every container to state it", () => {
    assert.equal(podConstraints(pod("p", [res({ cpu: "1" }), {}]), ["requests.cpu", "limits.memory", "pods"]), "must specify limits.memory for: c0,c1; requests.cpu for: c1");
    assert.equal(podConstraints(pod("p", [{}]), ["pods", "count/pods"]), undefined);
  });
});

describe("quota admission", () => {
  const usedOf = (rq: ResourceQuota) => toUsage(rq.status?.used);
  it("charges what fits; refuses what does not with kube-apiserver's message", () => {
    const q = quota("compute", { "requests.cpu": "2", "requests.memory": "1Gi", pods: "10" }, { "requests.cpu": "1500m", "requests.memory": "512Mi", pods: "3" });
    const small = chargeQuotas(pod("a", [res({ cpu: "500m", memory: "512Mi" })]), undefined, [q], usedOf, NOW);
    assert.equal(small.error, undefined);
    assert.deepEqual(small.charged[0].status?.used, { pods: "4", "requests.cpu": "2", "requests.memory": "1Gi" });
    const big = chargeQuotas(pod("b", [res({ cpu: "600m", memory: "600Mi" })]), undefined, [q], usedOf, NOW);
    assert.equal(big.error, "exceeded quota: compute, requested: requests.cpu=600m,requests.memory=600Mi, used: requests.cpu=1500m,requests.memory=512Mi, limited: requests.cpu=2,requests.memory=1Gi");
    assert.deepEqual(big.charged, []);
    assert.equal(chargeQuotas(pod("c", [{}]), undefined, [q], usedOf, NOW).error, "failed quota: compute: must specify requests.cpu for: c0; requests.memory for: c0");
  });
  it("object counts; an update charges only its difference; scoped quotas track only their pods", () => {
    const q = quota("objects", { configmaps: "1", "services.nodeports": "2" }, { configmaps: "1", "services.nodeports": "1" });
    const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "team" } };
    assert.equal(chargeQuotas(cm, undefined, [q], usedOf, NOW).error, "exceeded quota: objects, requested: configmaps=1, used: configmaps=1, limited: configmaps=1");
    const svc = (type: string) => ({ apiVersion: "v1", kind: "Service", metadata: { name: "s", namespace: "team" }, spec: { type, ports: [{ port: 80 }] } }) as Service;
    assert.equal(chargeQuotas(svc("NodePort"), svc("NodePort"), [q], usedOf, NOW).charged.length, 0);
    assert.deepEqual(chargeQuotas(svc("NodePort"), svc("ClusterIP"), [q], usedOf, NOW).charged[0].status?.used, { configmaps: "1", "services.nodeports": "2" });
    const best = quota("besteffort", { pods: "1" }, { pods: "1" }, ["BestEffort"]);
    assert.equal(chargeQuotas(pod("p", [res({ cpu: "1" })]), undefined, [best], usedOf, NOW).error, undefined);
    assert.match(chargeQuotas(pod("p", [{}]), undefined, [best], usedOf, NOW).error ?? "", /^exceeded quota: besteffort, requested: pods=1/);
    assert.equal(prettyPrint(toUsage({ b: "1", a: "2Gi" })), "a=2Gi,b=1");
  });
});

describe("the resource quota controller", () => {
  it("sets status.hard and recounts status.used as objects come and go", async () => {
    const store = openStore(":memory:");
    const c = new ResourceQuotaController(store, () => undefined, 60_000, () => NOW);
    try {
      store.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: "team" } });
      store.create(pod("a", [res({ cpu: "250m" })]));
      c.start();
      store.create<ResourceQuota>({ ...quota("q", { pods: "5", "requests.cpu": "2", "count/configmaps": "3" }), status: undefined });
      await tick();
      const read = () => store.get<ResourceQuota>("ResourceQuota", "team", "q")!.status;
      assert.deepEqual(read(), { hard: { "count/configmaps": "3", pods: "5", "requests.cpu": "2" }, used: { "count/configmaps": "0", pods: "1", "requests.cpu": "250m" } });
      store.create(pod("b", [res({ cpu: "500m" })]));
      store.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm", namespace: "team" } });
      await tick();
      assert.deepEqual(read()?.used, { "count/configmaps": "1", pods: "2", "requests.cpu": "750m" });
      store.delete("Pod", "team", "a");
      await tick();
      assert.deepEqual(read()?.used, { "count/configmaps": "1", pods: "1", "requests.cpu": "500m" });
      // Counted afresh from nothing, every hard resource is there at zero.
      assert.deepEqual(toResourceList(quotaUsed(store.get<ResourceQuota>("ResourceQuota", "team", "q")!, [], NOW)), { "count/configmaps": "0", pods: "0", "requests.cpu": "0" });
    } finally {
      c.stop();
      store.close();
    }
  });
});

describe("kubectl create quota's protobuf body", () => {
  const varint = (n: number): Buffer => {
    const out: number[] = [];
    while (n > 0x7f) {
      out.push((n & 0x7f) | 0x80);
      n >>>= 7;
    }
    out.push(n);
    return Buffer.from(out);
  };
  const bytes = (num: number, b: Buffer) => Buffer.concat([varint((num << 3) | 2), varint(b.length), b]);
  const str = (num: number, s: string) => bytes(num, Buffer.from(s));
  const msg = (num: number, ...parts: Buffer[]) => bytes(num, Buffer.concat(parts));
  it("decodes hard (quantities as messages) and scopes", () => {
    const spec = msg(2, msg(1, str(1, "pods"), msg(2, str(1, "3"))), msg(1, str(1, "requests.cpu"), msg(2, str(1, "1"))), str(2, "NotBestEffort"));
    const raw = Buffer.concat([msg(1, str(1, "compute")), spec]);
    const body = Buffer.concat([Buffer.from("k8s\0", "binary"), msg(1, str(1, "v1"), str(2, "ResourceQuota")), bytes(2, raw)]);
    assert.deepEqual(decodeKubernetesProtobuf(body), {
      apiVersion: "v1",
      kind: "ResourceQuota",
      metadata: { name: "compute" },
      spec: { hard: { pods: "3", "requests.cpu": "1" }, scopes: ["NotBestEffort"] },
    });
  });
});
