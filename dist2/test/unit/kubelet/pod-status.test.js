import { test } from "node:test";
import assert from "node:assert/strict";
import { generatePodStatus } from "../../../src/kubelet/pod-status.js";
function pod(containers, policy = "Always", inits = []) {
    return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "p", namespace: "default", uid: "u" },
        spec: {
            restartPolicy: policy,
            containers: containers.map((name) => ({ name, image: "busybox" })),
            initContainers: inits.length ? inits.map((c) => ({ image: "busybox", name: c.name ?? "i", ...c })) : undefined,
        },
    };
}
function c(name, state, extra = {}) {
    return { id: `${name}${extra.attempt ?? 0}`, name, attempt: 0, init: false, state, specHash: "", imageId: "sha256:x", startedAt: "2026-01-01T00:00:00Z", ...extra };
}
function input(containers, extra = {}) {
    return {
        containers,
        sandboxReady: true,
        waiting: new Map(),
        readiness: new Map(),
        started: new Map(),
        podIPs: ["10.244.0.5"],
        hostIP: "192.168.1.10",
        now: "2026-01-01T00:00:10Z",
        ...extra,
    };
}
test("no container yet: Pending, ContainerCreating", () => {
    const s = generatePodStatus(pod(["a"]), input([]));
    assert.equal(s.phase, "Pending");
    assert.deepEqual(s.containerStatuses[0].state, { waiting: { reason: "ContainerCreating" } });
    assert.equal(s.containerStatuses[0].ready, false);
});
test("running: Running, ready, Ready condition True, IPs and QoS", () => {
    const s = generatePodStatus(pod(["a"]), input([c("a", "running")]));
    assert.equal(s.phase, "Running");
    const cs = s.containerStatuses[0];
    assert.deepEqual(cs.state, { running: { startedAt: "2026-01-01T00:00:00Z" } });
    assert.equal(cs.ready, true);
    assert.equal(cs.containerID, "nodelet://a0");
    assert.equal(s.conditions.find((x) => x.type === "Ready").status, "True");
    assert.equal(s.podIP, "10.244.0.5");
    assert.deepEqual(s.podIPs, [{ ip: "10.244.0.5" }]);
    assert.equal(s.hostIP, "192.168.1.10");
    assert.equal(s.qosClass, "BestEffort");
    assert.equal(s.startTime, "2026-01-01T00:00:10Z");
});
test("a readiness probe not yet passed: not ready, ContainersNotReady", () => {
    const s = generatePodStatus(pod(["a"]), input([c("a", "running")], { readiness: new Map([["a", false]]) }));
    assert.equal(s.containerStatuses[0].ready, false);
    const ready = s.conditions.find((x) => x.type === "Ready");
    assert.equal(ready.status, "False");
    assert.equal(ready.reason, "ContainersNotReady");
    assert.equal(ready.message, "containers with unready status: [a]");
});
test("completed under Never: Succeeded, terminated Completed", () => {
    const s = generatePodStatus(pod(["a"], "Never"), input([c("a", "exited", { exitCode: 0, finishedAtIso: "2026-01-01T00:00:05Z" })]));
    assert.equal(s.phase, "Succeeded");
    assert.deepEqual(s.containerStatuses[0].state.terminated, {
        exitCode: 0, reason: "Completed", startedAt: "2026-01-01T00:00:00Z", finishedAt: "2026-01-01T00:00:05Z", containerID: "nodelet://a0",
    });
    assert.equal(s.conditions.find((x) => x.type === "Ready").reason, "PodCompleted");
});
test("failed under Never: Failed; OOMKilled keeps its reason", () => {
    const s = generatePodStatus(pod(["a"], "Never"), input([c("a", "exited", { exitCode: 137, reason: "OOMKilled", signal: 9 })]));
    assert.equal(s.phase, "Failed");
    assert.equal(s.containerStatuses[0].state.terminated.reason, "OOMKilled");
    assert.equal(s.containerStatuses[0].state.terminated.signal, 9);
});
test("crash looping under Always: Running, waiting CrashLoopBackOff with lastState and restartCount", () => {
    const s = generatePodStatus(pod(["a"]), input([c("a", "exited", { attempt: 2, exitCode: 1, id: "a2" }), c("a", "exited", { attempt: 1, exitCode: 1 })], {
        waiting: new Map([["a", { reason: "CrashLoopBackOff", message: "back-off 20s" }]]),
    }));
    assert.equal(s.phase, "Running");
    const cs = s.containerStatuses[0];
    assert.deepEqual(cs.state, { waiting: { reason: "CrashLoopBackOff", message: "back-off 20s" } });
    assert.equal(cs.lastState.terminated.exitCode, 1);
    assert.equal(cs.lastState.terminated.containerID, "nodelet://a2");
    assert.equal(cs.restartCount, 2);
});
test("restarted and running again: lastState is the previous run", () => {
    const s = generatePodStatus(pod(["a"]), input([c("a", "running", { attempt: 1, id: "a1" }), c("a", "exited", { attempt: 0, exitCode: 2 })]));
    assert.equal(s.containerStatuses[0].restartCount, 1);
    assert.equal(s.containerStatuses[0].lastState.terminated.exitCode, 2);
});
test("image errors show as the waiting reason", () => {
    const s = generatePodStatus(pod(["a"]), input([], { waiting: new Map([["a", { reason: "ErrImageNeverPull", message: "no" }]]) }));
    assert.equal(s.phase, "Pending");
    assert.deepEqual(s.containerStatuses[0].state.waiting, { reason: "ErrImageNeverPull", message: "no" });
});
test("init containers: app containers wait as PodInitializing; Initialized False names them", () => {
    const s = generatePodStatus(pod(["app"], "Always", [{ name: "i1" }, { name: "i2" }]), input([c("i1", "running", { init: true })]));
    assert.equal(s.phase, "Pending");
    assert.deepEqual(s.containerStatuses[0].state.waiting, { reason: "PodInitializing" });
    const init = s.conditions.find((x) => x.type === "Initialized");
    assert.equal(init.status, "False");
    assert.equal(init.message, "containers with incomplete status: [i1 i2]");
    assert.equal(s.initContainerStatuses.length, 2);
});
test("a failed init container under Never fails the pod", () => {
    const s = generatePodStatus(pod(["app"], "Never", [{ name: "i1" }]), input([c("i1", "exited", { init: true, exitCode: 3 })]));
    assert.equal(s.phase, "Failed");
});
test("transition times are kept while a condition does not change", () => {
    const p = pod(["a"]);
    const first = generatePodStatus(p, input([c("a", "running")], { now: "2026-01-01T00:00:10Z" }));
    const second = generatePodStatus({ ...p, status: first }, input([c("a", "running")], { now: "2026-01-01T00:05:00Z" }));
    assert.deepEqual(second.conditions, first.conditions);
    assert.equal(second.startTime, first.startTime);
    const third = generatePodStatus({ ...p, status: second }, input([c("a", "running")], { now: "2026-01-01T00:06:00Z", readiness: new Map([["a", false]]) }));
    assert.equal(third.conditions.find((x) => x.type === "Ready").lastTransitionTime, "2026-01-01T00:06:00Z");
});
test("a terminal phase never goes back", () => {
    const p = { ...pod(["a"], "Never"), status: { phase: "Succeeded" } };
    assert.equal(generatePodStatus(p, input([])).phase, "Succeeded");
});
import { summarizePod } from "../../../src/api/tables/format.js";
/** What `kubectl get pods` prints for the status the kubelet computes (the table printer reads only the status). */
function table(p, containers, extra = {}) {
    const s = generatePodStatus(p, input(containers, extra));
    const { ready, status } = summarizePod({ ...p, status: s }, Date.parse("2026-01-01T00:00:10Z"));
    return { ready, status };
}
test("kubectl's STATUS agrees with the kubelet's status through init, sidecars and crash loops", () => {
    const p = pod(["app"], "Always", [{ name: "i1" }, { name: "i2" }]);
    assert.deepEqual(table(p, []), { ready: "0/1", status: "Init:0/2" });
    assert.deepEqual(table(p, [c("i1", "running", { init: true })]), { ready: "0/1", status: "Init:0/2" });
    assert.deepEqual(table(p, [c("i1", "exited", { init: true, exitCode: 0 }), c("i2", "running", { init: true })]), { ready: "0/1", status: "Init:1/2" });
    const done = [c("i1", "exited", { init: true, exitCode: 0 }), c("i2", "exited", { init: true, exitCode: 0 })];
    assert.deepEqual(table(p, done), { ready: "0/1", status: "PodInitializing" });
    assert.deepEqual(table(p, [...done, c("app", "running")]), { ready: "1/1", status: "Running" });
    const crashing = [c("i1", "exited", { init: true, exitCode: 1, attempt: 2 })];
    assert.deepEqual(table(p, crashing, { waiting: new Map([["i1", { reason: "CrashLoopBackOff", message: "back-off" }]]) }), { ready: "0/1", status: "Init:CrashLoopBackOff" });
    assert.deepEqual(table(pod(["app"], "Never", [{ name: "i1" }]), [c("i1", "exited", { init: true, exitCode: 1 })]), { ready: "0/1", status: "Init:Error" });
    const side = pod(["app"], "Always", [{ name: "side", restartPolicy: "Always" }]);
    assert.deepEqual(table(side, [c("side", "running", { init: true })]), { ready: "1/2", status: "PodInitializing" });
    assert.deepEqual(table(side, [c("side", "running", { init: true }), c("app", "running")]), { ready: "2/2", status: "Running" });
    assert.deepEqual(table(side, [c("side", "running", { init: true })], { started: new Map([["side", false]]) }), { ready: "0/2", status: "Init:0/1" });
});
test("a pod the node did not admit: Pending with the reason, no container statuses", () => {
    const s = generatePodStatus(pod(["a"]), input([], { pending: { reason: "OutOfcpu", message: "Node didn't have enough resource: cpu, requested: 3000, used: 0, capacity: 2000" } }));
    assert.equal(s.phase, "Pending");
    assert.equal(s.reason, "OutOfcpu");
    assert.equal(s.containerStatuses, undefined);
    assert.equal(summarizePod({ ...pod(["a"]), status: s }).status, "OutOfcpu");
    const admitted = generatePodStatus({ ...pod(["a"]), status: s }, input([c("a", "running")]));
    assert.equal(admitted.reason, undefined, "the reason goes once the pod runs");
});
//# sourceMappingURL=pod-status.test.js.map