/**
 * One QoS function and one quantity parser: the cases where the runtime's own copies (a float parser and a QoS
 * function that counted every resource) disagreed with the API's exact ones.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { podQOSClass } from "../../../src/api/qos.js";
import { cpuMilli, memoryBytes } from "../../../src/api/quantity.js";
import { podRequests } from "../../../src/kubelet/node-admission.js";
import { podCgroupPath } from "../../../src/kubelet/pod-cgroup.js";
import { generatePodStatus } from "../../../src/kubelet/pod-status.js";
import { containerEnvironment } from "../../../src/runtime/container-env.js";
import { containerCgroupLimits, podCgroupLimits } from "../../../src/runtime/resources.js";
function pod(containers) {
    return { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "default", uid: "u1" }, spec: { containers } };
}
const sources = { configMaps: {}, secrets: {}, hostname: "p" };
test("a pod whose only request is ephemeral-storage is BestEffort at admission, in its status and in its cgroup", () => {
    const p = pod([{ name: "c", image: "busybox", resources: { requests: { "ephemeral-storage": "1Gi" }, limits: { "ephemeral-storage": "1Gi" } } }]);
    assert.equal(podQOSClass(p), "BestEffort");
    assert.equal(podCgroupPath(p), "besteffort/podu1");
    const status = generatePodStatus(p, {
        containers: [], sandboxReady: true, waiting: new Map(), readiness: new Map(), started: new Map(),
        podIPs: ["10.244.0.5"], hostIP: "192.0.2.1", now: "2026-01-01T00:00:00Z",
    });
    assert.equal(status.qosClass, "BestEffort");
});
test("QoS placement follows the API's class: Guaranteed at the parent, Burstable below its class", () => {
    const guaranteed = pod([{ name: "c", resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "1000m", memory: "1024Mi" } } }]);
    assert.equal(podCgroupPath(guaranteed), "podu1", "1 and 1000m, 1Gi and 1024Mi are equal quantities");
    const burstable = pod([{ name: "c", resources: { requests: { cpu: "100m" } } }]);
    assert.equal(podCgroupPath(burstable), "burstable/podu1");
});
test("quantities the float parser refused or rounded wrongly are read exactly", () => {
    // A decimal exponent ("1e3") is a valid quantity; the float parser threw on it.
    assert.equal(cpuMilli("1e3"), 1_000_000);
    assert.equal(memoryBytes("1e3"), 1000);
    assert.equal(memoryBytes("1E3"), 1000);
    // 1.0000000001 bytes is rounded up to the nano and then to whole units: 2 (the float parser's epsilon gave 1).
    assert.equal(memoryBytes("1.0000000001"), 2);
    assert.equal(cpuMilli("1.0000000001"), 1001);
    // Garbage is refused with the API server's message, not turned into NaN.
    assert.throws(() => memoryBytes("1.5.5"), /quantities must match the regular expression/);
    assert.throws(() => cpuMilli("5 cores"), /quantities must match the regular expression/);
    assert.equal(cpuMilli(undefined), undefined);
});
test("cgroup limits, admission and env read the same exact values", () => {
    const c = { name: "c", resources: { requests: { cpu: "100m", memory: "1e6" }, limits: { cpu: "2e-1", memory: "1.0000000001" } } };
    assert.deepEqual(podRequests(pod([c])), { cpuMilli: 100, memoryBytes: 1_000_000 });
    const limits = containerCgroupLimits(c);
    assert.equal(limits.memoryBytes, 2);
    assert.equal(limits.cpuQuotaUs, 20_000);
    assert.equal(podCgroupLimits(pod([c]), 100).memoryBytes, 2);
});
test("resourceFieldRef: CPU in millicores over the divisor's, memory in bytes over the divisor's (Kubernetes)", () => {
    const c = {
        name: "c",
        resources: { limits: { cpu: "250m", memory: "64Mi" }, requests: { cpu: "1e0", memory: "1e3" } },
        env: [
            { name: "CPU_CORES", valueFrom: { resourceFieldRef: { resource: "limits.cpu" } } },
            { name: "CPU_ZERO_DIVISOR", valueFrom: { resourceFieldRef: { resource: "limits.cpu", divisor: "0" } } },
            { name: "CPU_REQ", valueFrom: { resourceFieldRef: { resource: "requests.cpu", divisor: "1m" } } },
            // The divisor's Value() is 1 (rounded up): bytes; the float parser divided by 0.001 (67108864000).
            { name: "MEM_BY_MILLI", valueFrom: { resourceFieldRef: { resource: "limits.memory", divisor: "1m" } } },
            { name: "MEM_REQ", valueFrom: { resourceFieldRef: { resource: "requests.memory", divisor: "1k" } } },
        ],
    };
    const env = containerEnvironment(pod([c]), c, [], sources);
    assert.deepEqual(env.slice(1), ["CPU_CORES=1", "CPU_ZERO_DIVISOR=1", "CPU_REQ=1000", "MEM_BY_MILLI=67108864", "MEM_REQ=1"]);
});
test("a label selector refuses keys and values with the same words as metadata validation (one validator)", async () => {
    const { parseLabelSelector } = await import("../../../src/api/labels.js");
    const { isLabelKey, isLabelValue } = await import("../../../src/api/names.js");
    const long = "x".repeat(64);
    for (const [sel, why] of [
        [`${long}=a`, isLabelKey(long)],
        [`a=${long}`, isLabelValue(long)],
        ["Example.com/a=b", isLabelKey("Example.com/a")],
    ]) {
        assert.ok(why.length > 0);
        assert.throws(() => parseLabelSelector(sel), (e) => e.message.includes(why.join("; ")), sel);
    }
});
//# sourceMappingURL=one-source.test.js.map