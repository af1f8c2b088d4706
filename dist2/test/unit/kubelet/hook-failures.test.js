/**
 * Hook failures say why: the FailedPostStartHook / FailedPreStopHook event carries the kubelet's failure message
 * (command, exit code, output), and while a failed postStart's container is killed (the grace period) the pod's
 * status already shows its IP and the container, not ready.
 */
import { afterEach, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { hookEventMessage } from "../../../src/kubelet/lifecycle-hooks.js";
import { makeKubelet } from "../../helpers/kubelet-harness.js";
let h;
beforeEach(async () => {
    h = await makeKubelet();
});
afterEach(async () => {
    await h.close();
});
const messages = (name, reason) => h.events(name).filter((e) => e.reason === reason).map((e) => e.message);
test("a failed postStart: the event says why, and the status is written before the kill's grace period", async () => {
    h.runtime.onExec = () => ({ exitCode: 3, stdout: "half done\n", stderr: "no config\n" });
    const pod = h.create({
        metadata: { name: "p" },
        spec: { terminationGracePeriodSeconds: 30, containers: [{ name: "c", image: "busybox", lifecycle: { postStart: { exec: { command: ["sh", "-c", "setup"] } } } }] },
    });
    await h.settle();
    const uid = pod.metadata.uid;
    assert.deepEqual(messages("p", "FailedPostStartHook"), [
        `Exec lifecycle hook ([sh -c setup]) for Container "c" in Pod "p_default(${uid})" failed - error: command 'sh -c setup' exited with 3: no config\n, message: "half done\\nno config\\n"`,
    ]);
    // The container ignores SIGTERM: it is being killed for the next 30 s, and the status shows it meanwhile.
    assert.ok(h.runtime.calls.includes("stop c grace=30"), h.runtime.calls.join(", "));
    const during = h.get("p").status;
    assert.equal(during.podIP, "127.0.0.1");
    const cs = during.containerStatuses[0];
    assert.equal(cs.containerID, `nodelet://${h.runtime.latest(uid, "c").id}`);
    assert.equal(cs.state.waiting?.reason, "PostStartHookError", JSON.stringify(cs));
    assert.equal(cs.state.waiting?.message, messages("p", "FailedPostStartHook")[0]);
    assert.equal(cs.ready, false, "a container being killed for its failed hook is not ready");
    assert.equal(cs.started, false);
    await h.advance(31_000);
    const after = h.get("p").status.containerStatuses[0];
    assert.equal(after.lastState.terminated?.exitCode, 137, JSON.stringify(after));
});
test("a failed preStop: FailedPreStopHook says why, and the container still gets its stop signal", async () => {
    h.runtime.onExec = () => ({ exitCode: 4, stderr: "cannot drain" });
    h.runtime.polite.add("c");
    const pod = h.create({
        metadata: { name: "p" },
        spec: { terminationGracePeriodSeconds: 10, containers: [{ name: "c", image: "busybox", lifecycle: { preStop: { exec: { command: ["drain"] } } } }] },
    });
    await h.settle();
    const uid = pod.metadata.uid;
    const current = h.get("p");
    h.store.update({ ...current, metadata: { ...current.metadata, deletionTimestamp: new Date(h.clock.now() + 10_000).toISOString(), deletionGracePeriodSeconds: 10 } });
    await h.settle();
    assert.deepEqual(messages("p", "FailedPreStopHook"), [
        `Exec lifecycle hook ([drain]) for Container "c" in Pod "p_default(${uid})" failed - error: command 'drain' exited with 4: cannot drain, message: "cannot drain"`,
    ]);
    assert.ok(h.runtime.calls.includes("stop c grace=10"), h.runtime.calls.join(", "));
});
test("a hook cut short by shutdown records no failure", async () => {
    let release;
    h.runtime.onExec = () => ({ exitCode: 137, hang: new Promise((r) => (release = r)) });
    h.create({ metadata: { name: "p" }, spec: { terminationGracePeriodSeconds: 10, containers: [{ name: "c", image: "busybox", lifecycle: { preStop: { exec: { command: ["drain"] } } } }] } });
    await h.settle();
    const current = h.get("p");
    h.store.update({ ...current, metadata: { ...current.metadata, deletionTimestamp: new Date(h.clock.now() + 10_000).toISOString(), deletionGracePeriodSeconds: 10 } });
    await h.settle();
    await h.kubelet.stop();
    release();
    await h.settle();
    assert.deepEqual(messages("p", "FailedPreStopHook"), []);
});
test("hookEventMessage keeps a message whole up to the events API's 1024 characters", () => {
    assert.equal(hookEventMessage("short"), "short");
    const long = "x".repeat(5000);
    assert.equal(hookEventMessage(long).length, 1024);
    assert.ok(hookEventMessage(long).endsWith("..."));
});
//# sourceMappingURL=hook-failures.test.js.map