/**
 * computePodActions over every case the kubelet distinguishes: new pods, restart policies, back-off, probes,
 * spec changes, sandboxes, init containers, sidecars and the active deadline. Time is a FakeClock.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { FakeClock } from "../../../src/kubelet/clock.js";
import { Backoff } from "../../../src/kubelet/backoff.js";
import { computePodActions } from "../../../src/kubelet/plan.js";
const hash = (c) => `h-${c.name}-${c.image}`;
const clock = new FakeClock();
function pod(containers, opts = {}) {
    const mk = (c, i) => ({ name: c.name ?? `c${i}`, image: c.image ?? "busybox", ...c });
    return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "p", namespace: "default", uid: "u1" },
        spec: {
            restartPolicy: opts.policy ?? "Always",
            containers: containers.map(mk),
            initContainers: opts.inits?.map(mk),
            activeDeadlineSeconds: opts.deadline,
        },
        status: opts.startTime ? { startTime: opts.startTime, phase: opts.phase } : undefined,
    };
}
function ctr(name, state, extra = {}) {
    return { id: `${name}-${extra.attempt ?? 0}`, name, attempt: 0, init: false, state, specHash: `h-${name}-busybox`, ...extra };
}
const init = (name, state, extra = {}) => ctr(name, state, { init: true, ...extra });
function seen(containers, extra = {}) {
    return {
        sandbox: { state: "ready" },
        containers,
        unhealthy: new Map(),
        notStarted: new Set(),
        backoffUntil: new Map(),
        specHash: hash,
        now: clock.now(),
        ...extra,
    };
}
const starts = (a) => a.containersToStart.map((s) => [s.name, s.attempt, s.init]);
const kills = (a) => a.containersToKill.map((k) => [k.name, k.reason]);
describe("new pods and running pods", () => {
    test("a new pod: create the sandbox and start every container", () => {
        const a = computePodActions(pod([{ name: "a" }, { name: "b" }]), seen([], { sandbox: undefined }));
        assert.equal(a.createSandbox, true);
        assert.equal(a.killPod, false);
        assert.deepEqual(starts(a), [["a", 0, false], ["b", 0, false]]);
    });
    test("running containers are left alone", () => {
        const a = computePodActions(pod([{ name: "a" }]), seen([ctr("a", "running")]));
        assert.deepEqual(a, { killPod: false, createSandbox: false, containersToKill: [], containersToStart: [], backingOff: [] });
    });
    test("a container in state created counts as running (not started twice)", () => {
        const a = computePodActions(pod([{ name: "a" }]), seen([ctr("a", "created")]));
        assert.deepEqual(starts(a), []);
        assert.equal(a.killPod, false);
    });
    test("a container missing from a running pod is started (a second container added to the spec)", () => {
        const a = computePodActions(pod([{ name: "a" }, { name: "b" }]), seen([ctr("a", "running")]));
        assert.deepEqual(starts(a), [["b", 0, false]]);
    });
});
describe("restart policies", () => {
    for (const [policy, code, restarts] of [
        ["Always", 0, true],
        ["Always", 1, true],
        ["Always", 137, true],
        ["OnFailure", 0, false],
        ["OnFailure", 2, true],
        ["OnFailure", 137, true],
        ["Never", 0, false],
        ["Never", 1, false],
    ]) {
        test(`restartPolicy ${policy}, exit ${code}: ${restarts ? "restart" : "no restart"}`, () => {
            const a = computePodActions(pod([{ name: "a" }], { policy }), seen([ctr("a", "exited", { exitCode: code, finishedAt: 5 })]));
            if (restarts) {
                assert.deepEqual(a.containersToStart, [{ name: "a", init: false, attempt: 1, restartAfter: 5 }]);
                assert.equal(a.killPod, false);
            }
            else {
                assert.deepEqual(a.containersToStart, []);
                assert.equal(a.killPod, true, "a finished pod's sandbox is stopped");
            }
        });
    }
    test("OnFailure: a succeeded container stays done while another still runs; the sandbox stays", () => {
        const a = computePodActions(pod([{ name: "a" }, { name: "b" }], { policy: "OnFailure" }), seen([ctr("a", "exited", { exitCode: 0 }), ctr("b", "running")]));
        assert.deepEqual(starts(a), []);
        assert.equal(a.killPod, false);
    });
    test("Never: one container failed, one still running: nothing is done until it ends", () => {
        const a = computePodActions(pod([{ name: "a" }, { name: "b" }], { policy: "Never" }), seen([ctr("a", "exited", { exitCode: 1 }), ctr("b", "running")]));
        assert.deepEqual(starts(a), []);
        assert.deepEqual(kills(a), []);
        assert.equal(a.killPod, false);
    });
    test("the attempt number follows the newest container of that name", () => {
        const a = computePodActions(pod([{ name: "a" }]), seen([ctr("a", "exited", { attempt: 0, exitCode: 1 }), ctr("a", "exited", { attempt: 4, exitCode: 1, id: "a4" })]));
        assert.equal(a.containersToStart[0].attempt, 5);
    });
});
describe("back-off (with the kubelet's Backoff on a fake clock)", () => {
    test("the first restart is immediate; later crashes wait 10 s, 20 s, 40 s", () => {
        const c = new FakeClock();
        const b = new Backoff(c);
        const untilFor = (finishedAt) => b.backoffUntil("a", finishedAt);
        // Crash 1 at t: no back-off yet, restart now (and record it).
        let t = c.now();
        assert.equal(untilFor(t), undefined);
        b.next("a", t);
        // Crash 2 one second later: must wait 10 s after it finished.
        c.advance(1000);
        t = c.now();
        assert.equal(untilFor(t), t + 10_000);
        const a = computePodActions(pod([{ name: "a" }]), seen([ctr("a", "exited", { exitCode: 1, attempt: 1, finishedAt: t })], { backoffUntil: new Map([["a", untilFor(t)]]), now: c.now() }));
        assert.deepEqual(a.backingOff, [{ name: "a", until: t + 10_000 }]);
        assert.deepEqual(a.containersToStart, []);
        assert.equal(a.killPod, false, "a pod in back-off keeps its sandbox");
        c.advance(10_000);
        assert.equal(untilFor(t), undefined, "the back-off has passed");
        b.next("a", t);
        c.advance(500);
        assert.equal(untilFor(c.now()), c.now() + 20_000);
        b.next("a", c.now());
        c.advance(500);
        assert.equal(untilFor(c.now()), c.now() + 40_000);
    });
    test("back-off is capped at 5 minutes and forgotten after 10 minutes of running", () => {
        const c = new FakeClock();
        const b = new Backoff(c);
        for (let i = 0; i < 10; i++)
            b.next("a", c.now());
        assert.equal(b.current("a"), 300_000);
        c.advance(601_000);
        assert.equal(b.backoffUntil("a", c.now()), undefined, "a container that ran 10 minutes starts over");
        b.next("a", c.now());
        assert.equal(b.current("a"), 10_000);
    });
    test("persisted entries resume where they were", () => {
        const c = new FakeClock();
        const b = new Backoff(c);
        b.next("a", c.now());
        b.next("a", c.now());
        const again = new Backoff(c);
        again.restore(JSON.parse(JSON.stringify(b.snapshot())));
        assert.equal(again.backoffUntil("a", c.now()), c.now() + 20_000);
    });
});
describe("probes and spec changes", () => {
    for (const probe of ["liveness", "startup"]) {
        test(`a container that failed its ${probe} probe is killed and restarted`, () => {
            const a = computePodActions(pod([{ name: "a" }]), seen([ctr("a", "running")], { unhealthy: new Map([["a", probe]]) }));
            assert.deepEqual(a.containersToKill, [{ id: "a-0", name: "a", reason: "Unhealthy", probe, message: `Container a failed ${probe} probe, will be restarted` }]);
            assert.deepEqual(starts(a), [["a", 1, false]]);
        });
    }
    test("an unhealthy container under restartPolicy Never is killed and not restarted", () => {
        const a = computePodActions(pod([{ name: "a" }], { policy: "Never" }), seen([ctr("a", "running")], { unhealthy: new Map([["a", "liveness"]]) }));
        assert.equal(a.containersToKill.length, 1);
        assert.equal(a.containersToStart.length, 0);
    });
    test("an unhealthy container under OnFailure is restarted (the kill is a failure)", () => {
        const a = computePodActions(pod([{ name: "a" }], { policy: "OnFailure" }), seen([ctr("a", "running")], { unhealthy: new Map([["a", "liveness"]]) }));
        assert.deepEqual(starts(a), [["a", 1, false]]);
    });
    test("only the unhealthy container of several is touched", () => {
        const a = computePodActions(pod([{ name: "a" }, { name: "b" }]), seen([ctr("a", "running"), ctr("b", "running")], { unhealthy: new Map([["b", "liveness"]]) }));
        assert.deepEqual(kills(a), [["b", "Unhealthy"]]);
        assert.deepEqual(starts(a), [["b", 1, false]]);
    });
    test("a changed image replaces the container", () => {
        const a = computePodActions(pod([{ name: "a", image: "busybox:1.35" }]), seen([ctr("a", "running")]));
        assert.deepEqual(a.containersToKill.map((k) => [k.reason, k.message]), [["SpecChanged", "Container a definition changed, will be restarted"]]);
        assert.equal(a.containersToStart[0].attempt, 1);
    });
    test("a changed image of an exited container in back-off starts it (the back-off belonged to the old spec)", () => {
        // The executor keys back-off by spec hash: for the new spec there is none, so backoffUntil is empty.
        const a = computePodActions(pod([{ name: "a", image: "busybox:1.35" }]), seen([ctr("a", "exited", { exitCode: 1, attempt: 3 })]));
        assert.deepEqual(starts(a), [["a", 4, false]]);
    });
});
describe("sandboxes", () => {
    test("a dead sandbox is re-created and the containers restarted (restartPolicy Always)", () => {
        const a = computePodActions(pod([{ name: "a" }]), seen([ctr("a", "running")], { sandbox: { state: "notready" } }));
        assert.equal(a.killPod, true);
        assert.equal(a.createSandbox, true);
        assert.deepEqual(starts(a), [["a", 1, false]]);
    });
    test("a dead sandbox of a pod that ran under restartPolicy Never is not re-created", () => {
        const a = computePodActions(pod([{ name: "a" }], { policy: "Never" }), seen([ctr("a", "exited", { exitCode: 0 })], { sandbox: { state: "notready" } }));
        assert.equal(a.createSandbox, false);
    });
    test("a dead sandbox under OnFailure: succeeded containers are not restarted", () => {
        const a = computePodActions(pod([{ name: "a" }, { name: "b" }], { policy: "OnFailure" }), seen([ctr("a", "exited", { exitCode: 0 }), ctr("b", "running")], { sandbox: { state: "notready" } }));
        assert.equal(a.createSandbox, true);
        assert.deepEqual(a.containersToStart.map((s) => s.name), ["b"]);
    });
    test("a dead sandbox of a pod whose containers all succeeded under OnFailure stays down", () => {
        const a = computePodActions(pod([{ name: "a" }], { policy: "OnFailure" }), seen([ctr("a", "exited", { exitCode: 0 })], { sandbox: { state: "notready" } }));
        assert.equal(a.createSandbox, false);
        assert.equal(a.killPod, true);
    });
    test("a re-created sandbox runs the init containers again", () => {
        const p = pod([{ name: "app" }], { inits: [{ name: "i1" }] });
        const old = [init("i1", "exited", { exitCode: 0, createdAt: 100 }), ctr("app", "exited", { exitCode: 137, createdAt: 200 })];
        const recreate = computePodActions(p, seen(old, { sandbox: { state: "notready" } }));
        assert.deepEqual(starts(recreate), [["i1", 1, true]]);
        const after = computePodActions(p, seen(old, { sandbox: { state: "ready", createdAt: 500 } }));
        assert.deepEqual(starts(after), [["i1", 1, true]], "the init container that ran in the old sandbox runs again");
    });
});
describe("init containers", () => {
    test("a new pod with init containers starts only the first init container", () => {
        const a = computePodActions(pod([{ name: "app" }], { inits: [{ name: "i1" }, { name: "i2" }] }), seen([], { sandbox: undefined }));
        assert.equal(a.createSandbox, true);
        assert.deepEqual(starts(a), [["i1", 0, true]]);
    });
    test("init containers run in order, each to completion", () => {
        const p = pod([{ name: "app" }], { inits: [{ name: "i1" }, { name: "i2" }] });
        assert.deepEqual(computePodActions(p, seen([init("i1", "running")])).containersToStart, []);
        assert.deepEqual(starts(computePodActions(p, seen([init("i1", "exited", { exitCode: 0 })]))), [["i2", 0, true]]);
        const app = computePodActions(p, seen([init("i1", "exited", { exitCode: 0 }), init("i2", "exited", { exitCode: 0 })]));
        assert.deepEqual(starts(app), [["app", 0, false]]);
    });
    test("a failed init container is retried with back-off (Always, OnFailure), or fails the pod (Never)", () => {
        const failed = [init("i1", "exited", { exitCode: 1, finishedAt: 9 })];
        for (const policy of ["Always", "OnFailure"]) {
            const retry = computePodActions(pod([{ name: "app" }], { policy, inits: [{ name: "i1" }] }), seen(failed));
            assert.deepEqual(retry.containersToStart.map((s) => [s.name, s.attempt, s.restartAfter]), [["i1", 1, 9]]);
        }
        const wait = computePodActions(pod([{ name: "app" }], { inits: [{ name: "i1" }] }), seen(failed, { backoffUntil: new Map([["i1", 10_009]]) }));
        assert.deepEqual(wait.backingOff, [{ name: "i1", until: 10_009 }]);
        assert.equal(wait.killPod, false);
        const never = computePodActions(pod([{ name: "app" }], { policy: "Never", inits: [{ name: "i1" }] }), seen(failed));
        assert.deepEqual(never.podFailed, {});
        assert.equal(never.killPod, true);
        assert.equal(never.containersToStart.length, 0);
    });
    test("app containers never start while an init container is unfinished", () => {
        const p = pod([{ name: "app" }], { inits: [{ name: "i1" }, { name: "i2" }] });
        const a = computePodActions(p, seen([init("i1", "exited", { exitCode: 0 }), init("i2", "exited", { exitCode: 3 })], { backoffUntil: new Map([["i2", 1]]) }));
        assert.ok(!a.containersToStart.some((s) => !s.init));
    });
});
describe("sidecars (init containers with restartPolicy Always)", () => {
    const side = { name: "side", restartPolicy: "Always" };
    test("a sidecar starts before the app containers and must be started (startup probe) first", () => {
        const p = pod([{ name: "app" }], { inits: [side] });
        assert.deepEqual(starts(computePodActions(p, seen([]))), [["side", 0, true]]);
        const notStarted = computePodActions(p, seen([init("side", "running")], { notStarted: new Set(["side"]) }));
        assert.deepEqual(notStarted.containersToStart, []);
        const ready = computePodActions(p, seen([init("side", "running")]));
        assert.deepEqual(ready.containersToStart.map((s) => s.name), ["app"]);
    });
    test("a regular init container after a sidecar runs once the sidecar is up", () => {
        const p = pod([{ name: "app" }], { inits: [side, { name: "migrate" }] });
        assert.deepEqual(starts(computePodActions(p, seen([init("side", "running")]))), [["migrate", 0, true]]);
    });
    test("a crashed sidecar is restarted even under restartPolicy Never", () => {
        const p = pod([{ name: "app" }], { policy: "Never", inits: [side] });
        const a = computePodActions(p, seen([init("side", "exited", { exitCode: 1 }), ctr("app", "running")]));
        assert.deepEqual(starts(a), [["side", 1, true]]);
    });
    test("a sidecar crashing after the pod initialized does not hold back the app containers", () => {
        const p = pod([{ name: "app" }], { inits: [side] });
        const a = computePodActions(p, seen([init("side", "exited", { exitCode: 1, attempt: 2 }), ctr("app", "exited", { exitCode: 1 })], { backoffUntil: new Map([["side", 99]]) }));
        assert.deepEqual(a.backingOff, [{ name: "side", until: 99 }]);
        assert.deepEqual(starts(a), [["app", 1, false]]);
    });
    test("an unhealthy sidecar is killed and restarted", () => {
        const p = pod([{ name: "app" }], { inits: [side] });
        const a = computePodActions(p, seen([init("side", "running"), ctr("app", "running")], { unhealthy: new Map([["side", "liveness"]]) }));
        assert.deepEqual(kills(a), [["side", "Unhealthy"]]);
        assert.deepEqual(starts(a), [["side", 1, true]]);
    });
    test("when the main containers are done, sidecars are stopped last-defined first and the pod ends", () => {
        const p = pod([{ name: "app" }], { policy: "Never", inits: [side, { name: "side2", restartPolicy: "Always" }] });
        const a = computePodActions(p, seen([init("side", "running"), init("side2", "running"), ctr("app", "exited", { exitCode: 0 })]));
        assert.deepEqual(kills(a), [["side2", "SidecarTermination"], ["side", "SidecarTermination"]]);
        assert.equal(a.killPod, true);
    });
    test("a sidecar that crashes once the main containers are done is not restarted", () => {
        const p = pod([{ name: "app" }], { policy: "OnFailure", inits: [side] });
        const a = computePodActions(p, seen([init("side", "exited", { exitCode: 1 }), ctr("app", "exited", { exitCode: 0 })]));
        assert.deepEqual(starts(a), []);
        assert.equal(a.killPod, true);
    });
    test("under restartPolicy Always sidecars stay up however the main containers end", () => {
        const p = pod([{ name: "app" }], { inits: [side] });
        const a = computePodActions(p, seen([init("side", "running"), ctr("app", "exited", { exitCode: 0, finishedAt: 1 })]));
        assert.deepEqual(kills(a), []);
        assert.deepEqual(starts(a), [["app", 1, false]]);
    });
});
describe("activeDeadlineSeconds", () => {
    test("before the deadline the plan asks to be re-checked at it", () => {
        const start = new Date(clock.now() - 5_000).toISOString();
        const a = computePodActions(pod([{ name: "a" }], { deadline: 30, startTime: start }), seen([ctr("a", "running")]));
        assert.equal(a.recheckAt, Date.parse(start) + 30_000);
        assert.equal(a.killPod, false);
    });
    test("past the deadline the pod fails with DeadlineExceeded and everything stops", () => {
        const c = new FakeClock();
        const start = new Date(c.now()).toISOString();
        const p = pod([{ name: "a" }], { deadline: 30, startTime: start });
        c.advance(29_999);
        assert.equal(computePodActions(p, seen([ctr("a", "running")], { now: c.now() })).podFailed, undefined);
        c.advance(1);
        const a = computePodActions(p, seen([ctr("a", "running")], { now: c.now() }));
        assert.deepEqual(a.podFailed, { reason: "DeadlineExceeded", message: "Pod was active on the node longer than the specified deadline" });
        assert.equal(a.killPod, true);
        assert.deepEqual(a.containersToStart, []);
    });
    test("a pod already in a final phase is not failed again", () => {
        const c = new FakeClock();
        const p = pod([{ name: "a" }], { deadline: 1, startTime: new Date(c.now() - 60_000).toISOString(), phase: "Failed" });
        const a = computePodActions(p, seen([ctr("a", "exited", { exitCode: 137 })], { sandbox: { state: "notready" }, now: c.now() }));
        assert.equal(a.podFailed, undefined);
        assert.equal(a.recheckAt, undefined);
    });
});
//# sourceMappingURL=plan.test.js.map