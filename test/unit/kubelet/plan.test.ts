import { test } from "node:test";
import assert from "node:assert/strict";
import type { Container, Pod, RestartPolicy } from "../../../src/api/types.js";
import { computePodActions, type ObservedContainer, type ObservedPod } from "../../../src/kubelet/plan.js";

const hash = (c: Container) => `h-${c.name}-${c.image}`;

function pod(containers: Partial<Container>[], opts: { policy?: RestartPolicy; inits?: Partial<Container>[] } = {}): Pod {
  const mk = (c: Partial<Container>, i: number): Container => ({ name: c.name ?? `c${i}`, image: c.image ?? "busybox", ...c });
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "default", uid: "u1" },
    spec: {
      restartPolicy: opts.policy ?? "Always",
      containers: containers.map(mk),
      initContainers: opts.inits?.map(mk),
    },
  };
}

function ctr(name: string, state: ObservedContainer["state"], extra: Partial<ObservedContainer> = {}): ObservedContainer {
  return { id: `${name}-${extra.attempt ?? 0}`, name, attempt: 0, init: false, state, specHash: `h-${name}-busybox`, ...extra };
}

function seen(containers: ObservedContainer[], extra: Partial<ObservedPod> = {}): ObservedPod {
  return {
    sandbox: { state: "ready" },
    containers,
    unhealthy: new Set(),
    notStarted: new Set(),
    backoffUntil: new Map(),
    specHash: hash,
    ...extra,
  };
}

test("a new pod: create the sandbox and start every container", () => {
  const a = computePodActions(pod([{ name: "a" }, { name: "b" }]), seen([], { sandbox: undefined }));
  assert.equal(a.createSandbox, true);
  assert.equal(a.killPod, false);
  assert.deepEqual(a.containersToStart.map((s) => [s.name, s.attempt, s.init]), [["a", 0, false], ["b", 0, false]]);
});

test("a new pod with init containers starts only the first init container", () => {
  const a = computePodActions(pod([{ name: "app" }], { inits: [{ name: "i1" }, { name: "i2" }] }), seen([], { sandbox: undefined }));
  assert.equal(a.createSandbox, true);
  assert.deepEqual(a.containersToStart.map((s) => [s.name, s.init]), [["i1", true]]);
});

test("running containers are left alone", () => {
  const a = computePodActions(pod([{ name: "a" }]), seen([ctr("a", "running")]));
  assert.deepEqual(a, { killPod: false, createSandbox: false, containersToKill: [], containersToStart: [], backingOff: [], podFailed: false });
});

for (const [policy, code, restarts] of [
  ["Always", 0, true],
  ["Always", 1, true],
  ["OnFailure", 0, false],
  ["OnFailure", 2, true],
  ["Never", 0, false],
  ["Never", 1, false],
] as const) {
  test(`restartPolicy ${policy}, exit ${code}: ${restarts ? "restart" : "no restart"}`, () => {
    const a = computePodActions(pod([{ name: "a" }], { policy }), seen([ctr("a", "exited", { exitCode: code, finishedAt: 5 })]));
    if (restarts) {
      assert.deepEqual(a.containersToStart, [{ name: "a", init: false, attempt: 1, restartAfter: 5 }]);
      assert.equal(a.killPod, false);
    } else {
      assert.deepEqual(a.containersToStart, []);
      assert.equal(a.killPod, true, "a finished pod's sandbox is stopped");
    }
  });
}

test("a container in back-off is not started; the pod keeps its sandbox", () => {
  const a = computePodActions(
    pod([{ name: "a" }]),
    seen([ctr("a", "exited", { exitCode: 1, attempt: 3, finishedAt: 100 })], { backoffUntil: new Map([["a", 20_100]]) }),
  );
  assert.deepEqual(a.containersToStart, []);
  assert.deepEqual(a.backingOff, [{ name: "a", until: 20_100 }]);
  assert.equal(a.killPod, false);
});

test("the attempt number follows the newest container of that name", () => {
  const a = computePodActions(
    pod([{ name: "a" }]),
    seen([ctr("a", "exited", { attempt: 0, exitCode: 1 }), ctr("a", "exited", { attempt: 4, exitCode: 1, id: "a4" })]),
  );
  assert.equal(a.containersToStart[0].attempt, 5);
});

test("an unhealthy container is killed and restarted", () => {
  const a = computePodActions(pod([{ name: "a" }]), seen([ctr("a", "running")], { unhealthy: new Set(["a"]) }));
  assert.deepEqual(a.containersToKill.map((k) => [k.name, k.reason]), [["a", "Unhealthy"]]);
  assert.deepEqual(a.containersToStart.map((s) => [s.name, s.attempt]), [["a", 1]]);
});

test("an unhealthy container under restartPolicy Never is killed and not restarted", () => {
  const a = computePodActions(pod([{ name: "a" }], { policy: "Never" }), seen([ctr("a", "running")], { unhealthy: new Set(["a"]) }));
  assert.equal(a.containersToKill.length, 1);
  assert.equal(a.containersToStart.length, 0);
});

test("a changed image replaces the container", () => {
  const a = computePodActions(pod([{ name: "a", image: "busybox:1.35" }]), seen([ctr("a", "running")]));
  assert.deepEqual(a.containersToKill.map((k) => k.reason), ["SpecChanged"]);
  assert.equal(a.containersToStart[0].attempt, 1);
});

test("a dead sandbox is re-created and the containers restarted (restartPolicy Always)", () => {
  const a = computePodActions(pod([{ name: "a" }]), seen([ctr("a", "running")], { sandbox: { state: "notready" } }));
  assert.equal(a.killPod, true);
  assert.equal(a.createSandbox, true);
  assert.deepEqual(a.containersToStart.map((s) => [s.name, s.attempt]), [["a", 1]]);
});

test("a dead sandbox of a pod that ran under restartPolicy Never is not re-created", () => {
  const a = computePodActions(pod([{ name: "a" }], { policy: "Never" }), seen([ctr("a", "exited", { exitCode: 0 })], { sandbox: { state: "notready" } }));
  assert.equal(a.createSandbox, false);
});

test("a dead sandbox under OnFailure: succeeded containers are not restarted", () => {
  const a = computePodActions(
    pod([{ name: "a" }, { name: "b" }], { policy: "OnFailure" }),
    seen([ctr("a", "exited", { exitCode: 0 }), ctr("b", "running")], { sandbox: { state: "notready" } }),
  );
  assert.equal(a.createSandbox, true);
  assert.deepEqual(a.containersToStart.map((s) => s.name), ["b"]);
});

test("init containers run in order, each to completion", () => {
  const p = pod([{ name: "app" }], { inits: [{ name: "i1" }, { name: "i2" }] });
  const running = computePodActions(p, seen([ctr("i1", "running", { init: true })]));
  assert.deepEqual(running.containersToStart, []);
  const next = computePodActions(p, seen([ctr("i1", "exited", { init: true, exitCode: 0 })]));
  assert.deepEqual(next.containersToStart.map((s) => [s.name, s.init]), [["i2", true]]);
  const app = computePodActions(p, seen([ctr("i1", "exited", { init: true, exitCode: 0 }), ctr("i2", "exited", { init: true, exitCode: 0 })]));
  assert.deepEqual(app.containersToStart.map((s) => [s.name, s.init]), [["app", false]]);
});

test("a failed init container is retried with back-off, or fails the pod under Never", () => {
  const failed = [ctr("i1", "exited", { init: true, exitCode: 1, finishedAt: 9 })];
  const retry = computePodActions(pod([{ name: "app" }], { inits: [{ name: "i1" }] }), seen(failed));
  assert.deepEqual(retry.containersToStart.map((s) => [s.name, s.attempt, s.restartAfter]), [["i1", 1, 9]]);
  const wait = computePodActions(pod([{ name: "app" }], { inits: [{ name: "i1" }] }), seen(failed, { backoffUntil: new Map([["i1", 10_009]]) }));
  assert.deepEqual(wait.backingOff, [{ name: "i1", until: 10_009 }]);
  const never = computePodActions(pod([{ name: "app" }], { policy: "Never", inits: [{ name: "i1" }] }), seen(failed));
  assert.equal(never.podFailed, true);
  assert.equal(never.containersToStart.length, 0);
});

test("a sidecar starts before the app containers and must be started (startup probe) first", () => {
  const p = pod([{ name: "app" }], { inits: [{ name: "side", restartPolicy: "Always" }] });
  const first = computePodActions(p, seen([]));
  assert.deepEqual(first.containersToStart.map((s) => [s.name, s.init]), [["side", true]]);
  const notStarted = computePodActions(p, seen([ctr("side", "running", { init: true })], { notStarted: new Set(["side"]) }));
  assert.deepEqual(notStarted.containersToStart, []);
  const ready = computePodActions(p, seen([ctr("side", "running", { init: true })]));
  assert.deepEqual(ready.containersToStart.map((s) => s.name), ["app"]);
});

test("a crashed sidecar is restarted even under restartPolicy Never", () => {
  const p = pod([{ name: "app" }], { policy: "Never", inits: [{ name: "side", restartPolicy: "Always" }] });
  const a = computePodActions(p, seen([ctr("side", "exited", { init: true, exitCode: 1 }), ctr("app", "running")]));
  assert.deepEqual(a.containersToStart.map((s) => [s.name, s.init]), [["side", true]]);
});

test("when the main containers are done, sidecars are stopped and the pod ends", () => {
  const p = pod([{ name: "app" }], { policy: "Never", inits: [{ name: "side", restartPolicy: "Always" }] });
  const a = computePodActions(p, seen([ctr("side", "running", { init: true }), ctr("app", "exited", { exitCode: 0 })]));
  assert.deepEqual(a.containersToKill.map((k) => [k.name, k.reason]), [["side", "SidecarTermination"]]);
  assert.equal(a.killPod, true);
});
