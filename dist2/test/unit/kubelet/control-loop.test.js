/**
 * The kubelet's control loop end to end over a fake runtime and a fake clock: restarts and back-off, probes and
 * their events, hooks, graceful termination order, admission, the active deadline and garbage collection.
 */
import { afterEach, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { makeKubelet } from "../../helpers/kubelet-harness.js";
let h;
beforeEach(async () => {
    h = await makeKubelet();
});
afterEach(async () => {
    await h.close();
});
function spec(containers, extra = {}) {
    return { terminationGracePeriodSeconds: 5, ...extra, containers: containers.map((c, i) => ({ name: c.name ?? `c${i}`, image: "busybox", ...c })) };
}
const status = (name, c = 0) => h.get(name)?.status?.containerStatuses?.[c];
const uidOf = (name) => h.get(name).metadata.uid;
const reasons = (name) => h.events(name).map((e) => e.reason);
const messages = (name, reason) => h.events(name).filter((e) => e.reason === reason).map((e) => e.message);
describe("restarts and back-off", () => {
    test("a crash restarts at once; the next waits 10 s in CrashLoopBackOff", async () => {
        h.create({ metadata: { name: "p" }, spec: spec([{ name: "a" }]) });
        await h.settle();
        assert.ok(status("p")?.state.running, "running");
        h.runtime.exit(h.runtime.latest(uidOf("p"), "a").id, 1);
        await h.settle();
        assert.equal(h.runtime.latest(uidOf("p"), "a").attempt, 1, "first restart immediate");
        assert.equal(status("p").restartCount, 1);
        h.runtime.exit(h.runtime.latest(uidOf("p"), "a").id, 1);
        await h.settle();
        assert.equal(status("p").state.waiting?.reason, "CrashLoopBackOff");
        assert.match(status("p").state.waiting.message, /^back-off 10s restarting failed container=a pod=p_default/);
        await h.advance(9000);
        assert.equal(h.runtime.latest(uidOf("p"), "a").attempt, 1, "still backing off after 9 s");
        await h.advance(1500);
        assert.equal(h.runtime.latest(uidOf("p"), "a").attempt, 2, "restarted once the 10 s passed");
        assert.ok(reasons("p").includes("BackOff"));
    });
    test("an image update replaces the running container with the Killing event", async () => {
        h.create({ metadata: { name: "p" }, spec: spec([{ name: "a" }]) });
        await h.settle();
        const pod = h.get("p");
        h.store.update({ ...pod, spec: { ...pod.spec, containers: [{ ...pod.spec.containers[0], image: "busybox:1.36" }] } });
        await h.advance(6000);
        const latest = h.runtime.latest(uidOf("p"), "a");
        assert.equal(latest.attempt, 1);
        assert.equal(latest.image, "busybox:1.36");
        assert.deepEqual(messages("p", "Killing"), ["Container a definition changed, will be restarted"]);
    });
    test("dead containers beyond the current and previous instance are collected", async () => {
        h.create({ metadata: { name: "p" }, spec: spec([{ name: "a" }]) });
        await h.settle();
        for (let i = 0; i < 5; i++) {
            h.runtime.exit(h.runtime.latest(uidOf("p"), "a").id, 1);
            await h.advance(320_000, 10_000);
        }
        const left = h.runtime.containers(uidOf("p")).map((c) => c.attempt).sort();
        assert.ok(left.length <= 2, `kept ${left}`);
        assert.equal(Math.max(...left), 5);
        assert.equal(status("p").restartCount, 5);
        assert.equal(status("p").lastState.terminated?.exitCode, 1);
    });
});
describe("status timing", () => {
    test("a pod whose containers have all ended shows it before its sandbox is torn down", async () => {
        let release;
        const stopping = new Promise((r) => (release = r));
        const stop = h.runtime.stopSandbox.bind(h.runtime);
        h.runtime.stopSandbox = async (uid) => {
            await stopping;
            return stop(uid);
        };
        h.create({ metadata: { name: "p" }, spec: spec([{ name: "a" }], { restartPolicy: "Never" }) });
        await h.settle();
        h.runtime.exit(h.runtime.latest(uidOf("p"), "a").id, 0);
        await h.settle();
        assert.equal(h.get("p").status.phase, "Succeeded", "while the sandbox is still being stopped");
        assert.equal(status("p").state.terminated?.exitCode, 0);
        release();
        await h.settle();
        assert.equal(h.get("p").status.phase, "Succeeded");
    });
});
describe("probes", () => {
    const failing = new Set();
    beforeEach(() => {
        failing.clear();
        h.runtime.onExec = (_name, cmd) => (failing.has(cmd.join(" ")) ? { exitCode: 1, stdout: "not ok\n" } : { exitCode: 0 });
    });
    test("a failing liveness probe restarts the container after failureThreshold periods, with kubectl's events", async () => {
        h.create({ metadata: { name: "p" }, spec: spec([{ name: "a", livenessProbe: { exec: { command: ["live"] }, periodSeconds: 10, failureThreshold: 3 } }]) });
        await h.settle();
        await h.advance(30_000);
        assert.equal(h.runtime.latest(uidOf("p"), "a").attempt, 0, "healthy: not restarted");
        failing.add("live");
        await h.advance(19_000);
        assert.equal(h.runtime.latest(uidOf("p"), "a").attempt, 0, "two failures are under the threshold");
        await h.advance(20_000);
        assert.equal(h.runtime.latest(uidOf("p"), "a").attempt, 1, "restarted after the third failure (and the 5 s grace)");
        const unhealthy = h.events("p").find((e) => e.reason === "Unhealthy");
        assert.equal(unhealthy.message, "Liveness probe failed: not ok\n");
        assert.ok(unhealthy.count >= 3, "folded into one event with a count");
        assert.equal(unhealthy.involvedObject.fieldPath, "spec.containers{a}");
        assert.deepEqual(messages("p", "Killing"), ["Container a failed liveness probe, will be restarted"]);
        assert.ok(h.runtime.calls.includes("stop a grace=5"));
    });
    test("readiness drives ready, READY and the Ready condition", async () => {
        failing.add("ready");
        h.create({ metadata: { name: "p" }, spec: spec([{ name: "a", readinessProbe: { exec: { command: ["ready"] }, periodSeconds: 5 } }, { name: "b" }]) });
        await h.advance(2000);
        assert.equal(status("p", 0).ready, false);
        assert.equal(status("p", 1).ready, true);
        const ready = () => h.get("p").status.conditions.find((c) => c.type === "Ready");
        assert.equal(ready().status, "False");
        assert.equal(ready().message, "containers with unready status: [a]");
        assert.equal(messages("p", "Unhealthy")[0], "Readiness probe failed: not ok\n");
        failing.delete("ready");
        await h.advance(5000);
        assert.equal(status("p", 0).ready, true);
        assert.equal(ready().status, "True");
        assert.equal(h.runtime.latest(uidOf("p"), "a").attempt, 0, "readiness never restarts");
    });
    test("a startup probe holds liveness and readiness back, then lets them run", async () => {
        failing.add("startup");
        h.create({
            metadata: { name: "p" },
            spec: spec([{ name: "a", startupProbe: { exec: { command: ["startup"] }, periodSeconds: 1, failureThreshold: 30 }, livenessProbe: { exec: { command: ["live"] }, periodSeconds: 1 }, readinessProbe: { exec: { command: ["ready"] }, periodSeconds: 1 } }]),
        });
        await h.advance(5000);
        assert.ok(!h.runtime.calls.some((c) => c === "exec a live" || c === "exec a ready"), "no liveness/readiness before startup succeeds");
        assert.equal(status("p").started, false);
        assert.equal(status("p").ready, false);
        failing.delete("startup");
        await h.advance(1500);
        assert.equal(status("p").started, true);
        assert.equal(status("p").ready, true, "readiness ran right after startup succeeded");
        const startups = h.runtime.calls.filter((c) => c === "exec a startup").length;
        await h.advance(3000);
        assert.equal(h.runtime.calls.filter((c) => c === "exec a startup").length, startups, "startup stops once it succeeded");
        assert.ok(h.runtime.calls.includes("exec a live"));
    });
    test("a startup probe that never succeeds restarts the container", async () => {
        failing.add("startup");
        h.create({ metadata: { name: "p" }, spec: spec([{ name: "a", startupProbe: { exec: { command: ["startup"] }, periodSeconds: 1, failureThreshold: 3 } }]) });
        await h.advance(9000);
        assert.deepEqual(messages("p", "Killing"), ["Container a failed startup probe, will be restarted"]);
        assert.equal(h.runtime.latest(uidOf("p"), "a").attempt, 1);
    });
    test("initialDelaySeconds delays the first probe", async () => {
        h.create({ metadata: { name: "p" }, spec: spec([{ name: "a", readinessProbe: { exec: { command: ["ready"] }, initialDelaySeconds: 7, periodSeconds: 10 } }]) });
        await h.advance(6000);
        assert.equal(status("p").ready, false);
        assert.ok(!h.runtime.calls.includes("exec a ready"));
        await h.advance(1500);
        assert.equal(status("p").ready, true);
    });
    test("an exec probe past its timeout fails with the kubelet's message", async () => {
        h.runtime.onExec = () => ({ exitCode: 0, hang: new Promise(() => undefined) });
        h.create({ metadata: { name: "p" }, spec: spec([{ name: "a", readinessProbe: { exec: { command: ["sh", "-c", "sleep 100"] }, timeoutSeconds: 2, periodSeconds: 10 } }]) });
        await h.advance(3000);
        assert.deepEqual(messages("p", "Unhealthy"), ['Readiness probe failed: command "sh -c sleep 100" timed out']);
    });
    test("a probe on a named port the container does not have errors; the result is thrown away", async () => {
        h.create({ metadata: { name: "p" }, spec: spec([{ name: "a", livenessProbe: { httpGet: { port: "http", path: "/" }, periodSeconds: 1, failureThreshold: 1 } }]) });
        await h.advance(5000);
        assert.equal(h.runtime.latest(uidOf("p"), "a").attempt, 0, "errors do not count as failures");
        assert.equal(messages("p", "Unhealthy")[0], 'Liveness probe errored and resulted in unknown state: strconv.Atoi: parsing "http": invalid syntax');
    });
    test("liveness probes stop once the pod is being deleted", async () => {
        h.create({ metadata: { name: "p" }, spec: spec([{ name: "a", livenessProbe: { exec: { command: ["live"] }, periodSeconds: 1 } }], { terminationGracePeriodSeconds: 10 }) });
        await h.advance(2000);
        const pod = h.get("p");
        h.store.update({ ...pod, metadata: { ...pod.metadata, deletionTimestamp: new Date(h.clock.now() + 10_000).toISOString(), deletionGracePeriodSeconds: 10 } });
        await h.settle();
        const before = h.runtime.calls.filter((c) => c === "exec a live").length;
        await h.advance(5000);
        assert.equal(h.runtime.calls.filter((c) => c === "exec a live").length, before);
    });
});
describe("lifecycle hooks and termination", () => {
    test("a failing postStart hook kills the container: FailedPostStartHook, PostStartHookError", async () => {
        h.runtime.onExec = () => ({ exitCode: 3, stderr: "boom" });
        h.create({ metadata: { name: "p" }, spec: spec([{ name: "a", lifecycle: { postStart: { exec: { command: ["sh", "-c", "exit 3"] } } } }]) });
        await h.advance(6000);
        assert.ok(reasons("p").includes("FailedPostStartHook"));
        assert.match(messages("p", "FailedPostStartHook")[0] ?? "", /^Exec lifecycle hook \(\[sh -c exit 3\]\) for Container "a" in Pod "p_default\(.*\)" failed - error: command 'sh -c exit 3' exited with 3: boom, message: "boom"$/);
        assert.ok(messages("p", "Killing").includes("FailedPostStartHook"));
        const waiting = h.get("p").status.containerStatuses[0].state.waiting;
        assert.ok(waiting?.reason === "PostStartHookError" || waiting?.reason === "CrashLoopBackOff", JSON.stringify(waiting));
    });
    test("deletion: preStop, then the stop signal with what is left of the grace period", async () => {
        let released;
        h.runtime.onExec = (_n, cmd) => (cmd[0] === "prestop" ? { exitCode: 0, hang: new Promise((r) => (released = r)) } : { exitCode: 0 });
        h.create({ metadata: { name: "p" }, spec: spec([{ name: "a", lifecycle: { preStop: { exec: { command: ["prestop"] } } } }], { terminationGracePeriodSeconds: 10 }) });
        await h.settle();
        const pod = h.get("p");
        h.store.update({ ...pod, metadata: { ...pod.metadata, deletionTimestamp: new Date(h.clock.now() + 10_000).toISOString(), deletionGracePeriodSeconds: 10 } });
        await h.settle();
        assert.ok(h.runtime.calls.includes("exec a prestop"));
        assert.ok(!h.runtime.calls.some((c) => c.startsWith("stop a")), "no signal while preStop runs");
        await h.advance(3000);
        released();
        await h.advance(8000);
        assert.ok(h.runtime.calls.includes("stop a grace=7"), h.runtime.calls.join(", "));
        assert.equal(h.get("p"), undefined, "the pod object is removed once stopped");
    });
    test("a preStop that outlives the grace period is cut short; the stop gets the 2 s minimum", async () => {
        h.runtime.onExec = () => ({ exitCode: 0, hang: new Promise(() => undefined) });
        h.create({ metadata: { name: "p" }, spec: spec([{ name: "a", lifecycle: { preStop: { exec: { command: ["prestop"] } } } }], { terminationGracePeriodSeconds: 3 }) });
        await h.settle();
        h.store.delete("Pod", "default", "p");
        await h.settle();
        assert.ok(h.runtime.calls.includes("stop a grace=0"), "a pod gone from the store (forced) is killed at once, no hook");
        assert.ok(!h.runtime.calls.includes("exec a prestop"));
    });
    test("sidecars get the stop signal after the main containers have exited", async () => {
        h.runtime.polite.add("app");
        h.create({ metadata: { name: "p" }, spec: spec([{ name: "app" }], { initContainers: [{ name: "side", image: "busybox", restartPolicy: "Always" }] }) });
        await h.settle();
        await h.settle();
        assert.ok(status("p")?.state.running, "app runs after its sidecar");
        const pod = h.get("p");
        h.store.update({ ...pod, metadata: { ...pod.metadata, deletionTimestamp: new Date(h.clock.now() + 5000).toISOString(), deletionGracePeriodSeconds: 5 } });
        await h.advance(6000);
        const stops = h.runtime.calls.filter((c) => c.startsWith("stop "));
        assert.deepEqual(stops.map((s) => s.split(" ")[1]), ["app", "side"]);
    });
});
describe("pods at the node level", () => {
    test("a pod that does not fit stays Pending with OutOfcpu, and runs once another leaves", async () => {
        const big = { resources: { requests: { cpu: "3" } } };
        h.create({ metadata: { name: "first" }, spec: spec([{ name: "a", ...big }]) });
        await h.settle();
        h.create({ metadata: { name: "second" }, spec: spec([{ name: "a", ...big }]) });
        await h.settle();
        const st = h.get("second").status;
        assert.equal(st.phase, "Pending");
        assert.equal(st.reason, "OutOfcpu");
        assert.equal(st.message, "Node didn't have enough resource: cpu, requested: 3000, used: 3000, capacity: 4000");
        assert.equal(st.containerStatuses, undefined);
        assert.ok(reasons("second").includes("OutOfcpu"));
        h.store.delete("Pod", "default", "first");
        await h.settle();
        await h.kubelet.resync();
        await h.settle();
        assert.equal(h.get("second").status.phase, "Running");
        assert.equal(h.get("second").status.reason, undefined);
    });
    test("activeDeadlineSeconds fails the pod with DeadlineExceeded", async () => {
        h.runtime.polite.add("a");
        h.create({ metadata: { name: "p" }, spec: spec([{ name: "a" }], { activeDeadlineSeconds: 20 }) });
        await h.settle();
        assert.equal(h.get("p").status.phase, "Running");
        await h.advance(21_000);
        const st = h.get("p").status;
        assert.equal(st.phase, "Failed");
        assert.equal(st.reason, "DeadlineExceeded");
        assert.ok(reasons("p").includes("DeadlineExceeded"));
    });
});
describe("static pods and mirror pods", () => {
    const staticPod = () => ({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "web-node1", namespace: "default", uid: "11111111-2222-3333-4444-555555555555", annotations: { "kubernetes.io/config.source": "file", "kubernetes.io/config.hash": "11111111-2222-3333-4444-555555555555" } },
        spec: spec([{ name: "a" }], { nodeName: "node1" }),
    });
    test("a static pod runs, its mirror shows it, a deleted mirror comes back, removal stops it", async () => {
        h.kubelet.staticPodsChanged([staticPod()]);
        await h.settle();
        const mirror = h.get("web-node1");
        assert.equal(mirror.metadata.annotations["kubernetes.io/config.mirror"], "11111111-2222-3333-4444-555555555555");
        assert.deepEqual(mirror.metadata.ownerReferences?.map((o) => o.kind), ["Node"]);
        assert.notEqual(mirror.metadata.uid, "11111111-2222-3333-4444-555555555555");
        assert.ok(mirror.status?.containerStatuses?.[0].state.running, "the mirror carries the status");
        const running = h.runtime.latest("11111111-2222-3333-4444-555555555555", "a").id;
        h.store.delete("Pod", "default", "web-node1");
        await h.settle();
        const again = h.get("web-node1");
        assert.notEqual(again.metadata.uid, mirror.metadata.uid, "a new mirror");
        assert.equal(h.runtime.latest("11111111-2222-3333-4444-555555555555", "a").id, running, "the static pod's container kept running");
        h.kubelet.staticPodsChanged([]);
        await h.advance(6000);
        assert.equal(h.get("web-node1"), undefined);
        assert.equal(h.runtime.sandbox("11111111-2222-3333-4444-555555555555"), undefined);
    });
    test("a static pod's status lives on its mirror: its active deadline is counted from there", async () => {
        h.runtime.polite.add("a");
        const p = staticPod();
        p.spec.activeDeadlineSeconds = 5;
        h.kubelet.staticPodsChanged([p]);
        await h.settle();
        await h.advance(12_000);
        const st = h.get("web-node1").status;
        assert.equal(st.phase, "Failed");
        assert.equal(st.reason, "DeadlineExceeded");
    });
});
describe("hook kinds", () => {
    test("a sleep preStop hook takes its time out of the grace period", async () => {
        h.create({ metadata: { name: "p" }, spec: spec([{ name: "a", lifecycle: { preStop: { sleep: { seconds: 3 } } } }], { terminationGracePeriodSeconds: 10 }) });
        await h.settle();
        const pod = h.get("p");
        h.store.update({ ...pod, metadata: { ...pod.metadata, deletionTimestamp: new Date(h.clock.now() + 10_000).toISOString(), deletionGracePeriodSeconds: 10 } });
        await h.advance(2500);
        assert.ok(!h.runtime.calls.some((c) => c.startsWith("stop a")), "still sleeping");
        await h.advance(1000);
        assert.ok(h.runtime.calls.includes("stop a grace=7"), h.runtime.calls.join(", "));
    });
    test("an httpGet postStart hook reaches the pod; a refused connection fails it with the kubelet's message", async () => {
        const { createServer } = await import("node:http");
        const hits = [];
        const server = createServer((req, res) => {
            hits.push(req.url);
            res.writeHead(500).end();
        });
        await new Promise((r) => server.listen(0, "127.0.0.1", r));
        const port = server.address().port;
        try {
            h.create({ metadata: { name: "ok" }, spec: spec([{ name: "a", lifecycle: { postStart: { httpGet: { path: "/started", port } } } }]) });
            await h.advance(1000);
            assert.deepEqual(hits, ["/started"]);
            assert.ok(!reasons("ok").includes("FailedPostStartHook"), "an HTTP error status does not fail a hook (only transport errors do)");
        }
        finally {
            server.close();
        }
        h.create({ metadata: { name: "refused" }, spec: spec([{ name: "a", lifecycle: { postStart: { httpGet: { path: "/x", port } } } }]) });
        // The failed hook kills the container (5 s grace here); the status then says why it waits.
        await h.advance(6000);
        assert.ok(reasons("refused").includes("FailedPostStartHook"));
        const w = h.get("refused").status.containerStatuses[0].state.waiting;
        assert.equal(w.reason, "PostStartHookError");
        assert.equal(w.message, `HTTP lifecycle hook (/x) for Container "a" in Pod "refused_default(${uidOf("refused")})" failed - error: Get "http://127.0.0.1:${port}/x": dial tcp 127.0.0.1:${port}: connect: connection refused`);
    });
});
//# sourceMappingURL=control-loop.test.js.map