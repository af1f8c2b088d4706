/**
 * Init containers, sidecars, lifecycle hooks, graceful termination and spec updates with real containers
 * (privileged): the statuses kubectl shows (Init:N/M, Init:CrashLoopBackOff, Init:Error), sidecars first and last,
 * postStart failures, preStop before the stop signal, `--grace-period 0 --force`, an image update that replaces the
 * container and a forbidden update that changes nothing.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isSameProcess } from "../../src/sys/proc.js";
import { needsRoot } from "../helpers/root.js";
import { eventually, suiteDaemon } from "../helpers/daemon.js";

const skip = needsRoot();
const LOOP = `["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.2; done"]`;

describe("kubelet lifecycle (privileged)", { skip }, () => {
  const d = suiteDaemon("lifecycle");

  const get = (name: string) => d.pod(name);
  const statusColumn = async (name: string) => /^\S+\s+\S+\s+(\S+)/m.exec((await d.cli(["get", "pod", name, "--no-headers"])).stdout)?.[1];
  const events = (name: string) => d.events(name);
  const apply = async (name: string, yaml: string) => {
    const file = join(d.root, `${name}.yaml`);
    writeFileSync(file, yaml);
    return d.cli(["apply", "-f", file]);
  };

  test("init containers run in order; kubectl shows Init:0/2, Init:1/2, then Running", async () => {
    // Each init container waits for a gate file the test creates once kubectl has shown its state, so the states
    // are seen however slowly kubectl answers on a loaded machine.
    const gates = join(d.root, "init-gates");
    mkdirSync(gates, { recursive: true });
    const waitGate = (n: string) => `until [ -e /gates/${n} ]; do sleep 0.1; done`;
    const r = await apply(
      "inits",
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: inits\nspec:\n  terminationGracePeriodSeconds: 1\n  initContainers:\n  - name: one\n    image: busybox\n    command: ["sh", "-c", "${waitGate("one")}; echo one > /work/order"]\n    volumeMounts: [{name: w, mountPath: /work}, {name: gates, mountPath: /gates}]\n  - name: two\n    image: busybox\n    command: ["sh", "-c", "${waitGate("two")}; echo two >> /work/order"]\n    volumeMounts: [{name: w, mountPath: /work}, {name: gates, mountPath: /gates}]\n  containers:\n  - name: app\n    image: busybox\n    command: ["sh", "-c", "cat /work/order; trap 'exit 0' TERM; while true; do sleep 0.2; done"]\n    volumeMounts: [{name: w, mountPath: /work}]\n  volumes:\n  - name: w\n    emptyDir: {}\n  - name: gates\n    hostPath: {path: ${gates}}\n`,
    );
    assert.equal(r.code, 0, r.stderr);
    const seen: string[] = [];
    const status = (want: string) => async () => {
      const s = await statusColumn("inits");
      if (s && seen.at(-1) !== s) seen.push(s);
      return s === want;
    };
    await eventually(status("Init:0/2"), 30_000, "Init:0/2");
    writeFileSync(join(gates, "one"), "");
    await eventually(status("Init:1/2"), 30_000, "Init:1/2");
    writeFileSync(join(gates, "two"), "");
    await eventually(status("Running"), 30_000, "inits Running");
    assert.deepEqual(seen.filter((s) => s.startsWith("Init:")), ["Init:0/2", "Init:1/2"], seen.join(","));
    const p = (await get("inits"))!;
    assert.deepEqual(p.status!.initContainerStatuses!.map((s) => [s.name, s.state.terminated?.reason]), [["one", "Completed"], ["two", "Completed"]]);
    assert.equal(p.status!.conditions!.find((c) => c.type === "Initialized")!.status, "True");
    await eventually(async () => (await d.cli(["logs", "inits"])).stdout === "one\ntwo\n", 30_000, "app saw both init containers' work");
    await d.cli(["delete", "pod", "inits", "--now"]);
  });

  test("a failing init container: Init:CrashLoopBackOff under Always, Init:Error and Failed under Never", async () => {
    const yaml = (name: string, policy: string) =>
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  restartPolicy: ${policy}\n  terminationGracePeriodSeconds: 1\n  initContainers:\n  - name: bad\n    image: busybox\n    command: ["sh", "-c", "echo failing; exit 1"]\n  containers:\n  - name: app\n    image: busybox\n    command: ["sleep", "3600"]\n`;
    await apply("initloop", yaml("initloop", "Always"));
    await apply("initfail", yaml("initfail", "Never"));
    await eventually(async () => (await statusColumn("initloop")) === "Init:CrashLoopBackOff", 30_000, "Init:CrashLoopBackOff");
    const loop = (await get("initloop"))!;
    assert.equal(loop.status!.phase, "Pending");
    assert.ok(loop.status!.initContainerStatuses![0].restartCount >= 1);
    assert.equal(loop.status!.containerStatuses![0].state.waiting?.reason, "PodInitializing");
    await eventually(async () => (await statusColumn("initfail")) === "Init:Error", 20_000, "Init:Error");
    assert.equal((await get("initfail"))!.status!.phase, "Failed");
    await d.cli(["delete", "pod", "initloop", "initfail", "--now"]);
  });

  test("a sidecar starts before the app, counts in READY, and is stopped after the app when the pod completes", async () => {
    // The app ends when the test says so (a gate file), not after a fixed time a loaded machine may outlast.
    const gates = join(d.root, "sidecar-gates");
    mkdirSync(gates, { recursive: true });
    await apply(
      "sidecar",
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: sidecar\nspec:\n  restartPolicy: Never\n  terminationGracePeriodSeconds: 5\n  initContainers:\n  - name: side\n    image: busybox\n    restartPolicy: Always\n    command: ${LOOP}\n  containers:\n  - name: app\n    image: busybox\n    command: ["sh", "-c", "until [ -e /gates/done ]; do sleep 0.1; done"]\n    volumeMounts: [{name: gates, mountPath: /gates}]\n  volumes:\n  - name: gates\n    hostPath: {path: ${gates}}\n`,
    );
    const running = await eventually(async () => {
      const p = await get("sidecar");
      return p?.status?.containerStatuses?.[0]?.state.running && p;
    }, 20_000, "app running");
    const side = running.status!.initContainerStatuses![0];
    assert.ok(Date.parse(side.state.running!.startedAt!) <= Date.parse(running.status!.containerStatuses![0].state.running!.startedAt!), "sidecar first");
    assert.match((await d.cli(["get", "pod", "sidecar"])).stdout, /sidecar\s+2\/2\s+Running/);
    writeFileSync(join(gates, "done"), "");
    const done = await eventually(async () => {
      const p = await get("sidecar");
      return p?.status?.phase === "Succeeded" && p;
    }, 20_000, "Succeeded once the app ended and the sidecar was stopped");
    const sideEnd = Date.parse(done.status!.initContainerStatuses![0].state.terminated!.finishedAt!);
    const appEnd = Date.parse(done.status!.containerStatuses![0].state.terminated!.finishedAt!);
    assert.ok(sideEnd >= appEnd, "the sidecar stopped after the app");
    assert.equal(await statusColumn("sidecar"), "Completed");
    await d.cli(["delete", "pod", "sidecar", "--now"]);
  });

  test("a failing postStart hook kills the container with FailedPostStartHook", async () => {
    await apply(
      "poststart",
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: poststart\nspec:\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: c\n    image: busybox\n    command: ${LOOP}\n    lifecycle:\n      postStart:\n        exec:\n          command: ["sh", "-c", "echo nope; exit 3"]\n`,
    );
    const evs = await eventually(async () => {
      const e = await events("poststart");
      return e.some((x) => x.reason === "FailedPostStartHook") && e.some((x) => x.reason === "Killing" && x.message === "FailedPostStartHook") && e;
    }, 20_000, "hook failure events");
    assert.match(evs.find((e) => e.reason === "FailedPostStartHook")!.message ?? "", /exited with 3: , message: "nope\\n"$/);
    // The status says PostStartHookError before the kill (written first, so the pod's IP shows meanwhile) and again
    // after it: the wait is for the second, which shows the killed instance.
    const p = await eventually(async () => {
      const x = await get("poststart");
      const c = x?.status?.containerStatuses?.[0];
      const w = c?.state.waiting;
      return w && (w.reason === "PostStartHookError" || w.reason === "CrashLoopBackOff") && (c.restartCount >= 1 || c.lastState.terminated) && x;
    }, 20_000, "waiting after the hook failed and the container was killed");
    assert.ok(p.status!.containerStatuses![0].lastState.terminated?.finishedAt, "the killed instance is the last state");
    assert.match(d.log, /Exec lifecycle hook \(\[sh -c echo nope; exit 3\]\) for Container "c" in Pod "poststart_default\(.*\)" failed - error: command 'sh -c echo nope; exit 3' exited with 3: , message: "nope\\n"/);
    await d.cli(["delete", "pod", "poststart", "--now"]);
  });

  test("deletion runs preStop, then SIGTERM; the pod object goes once the container stopped", async () => {
    const out = join(d.root, "prestop-out");
    mkdirSync(out, { recursive: true });
    await apply(
      "prestop",
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: prestop\nspec:\n  terminationGracePeriodSeconds: 60\n  containers:\n  - name: c\n    image: busybox\n    command: ["sh", "-c", "trap 'echo term >> /out/order; exit 0' TERM; while true; do sleep 0.1; done"]\n    volumeMounts: [{name: out, mountPath: /out}]\n    lifecycle:\n      preStop:\n        exec:\n          command: ["sh", "-c", "sleep 1; echo prestop >> /out/order"]\n  volumes:\n  - name: out\n    hostPath: {path: ${out}}\n`,
    );
    await eventually(async () => (await get("prestop"))?.status?.containerStatuses?.[0]?.state.running, 20_000, "prestop running");
    const t = Date.now();
    const del = await d.cli(["delete", "pod", "prestop"]);
    assert.equal(del.code, 0, del.stderr);
    const took = Date.now() - t;
    assert.equal(readFileSync(join(out, "order"), "utf8"), "prestop\nterm\n");
    // Far below the 60 s grace period, with room for a loaded machine: the SIGTERM after preStop ended it.
    assert.ok(took >= 900 && took < 30_000, `preStop ran (1 s), then SIGTERM stopped it at once (${took} ms)`);
    assert.equal(await get("prestop"), undefined);
  });

  test("delete --grace-period 0 --force kills at once, skipping preStop and the grace period", async () => {
    await apply(
      "forced",
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: forced\nspec:\n  terminationGracePeriodSeconds: 60\n  containers:\n  - name: c\n    image: busybox\n    command: ["sleep", "3600"]\n    lifecycle:\n      preStop:\n        exec:\n          command: ["sleep", "60"]\n`,
    );
    const p = await eventually(async () => {
      const x = await get("forced");
      return x?.status?.containerStatuses?.[0]?.state.running && x;
    }, 20_000, "forced running");
    const pid = d.runningPid(p.metadata.uid!);
    const t = Date.now();
    const del = await d.cli(["delete", "pod", "forced", "--grace-period", "0", "--force"]);
    assert.equal(del.code, 0, del.stderr);
    assert.match(del.stdout, /pod "forced" (force )?deleted/);
    await eventually(async () => !isSameProcess(pid!), 30_000, "the container killed at once");
    assert.ok(Date.now() - t < 30_000, `killed within seconds, not 60 (${Date.now() - t} ms)`);
  });

  test("an image update replaces the container; a forbidden update is refused and changes nothing", async () => {
    const yaml = (image: string, cmd: string) =>
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: upd\nspec:\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: c\n    image: ${image}\n    command: ["sh", "-c", "${cmd}; trap 'exit 0' TERM; while true; do sleep 0.2; done"]\n`;
    assert.equal((await apply("upd", yaml("busybox", "echo v1"))).code, 0);
    const first = await eventually(async () => {
      const x = await get("upd");
      return x?.status?.containerStatuses?.[0]?.state.running && x;
    }, 20_000, "upd running");
    const refused = await apply("upd", yaml("busybox", "echo v2"));
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /Forbidden: pod updates may not change fields other than `spec.containers\[\*\].image`/);
    assert.equal((await get("upd"))!.spec.containers[0].command![2].startsWith("echo v1"), true, "nothing changed");
    const updated = await apply("upd", yaml("busybox:latest", "echo v1"));
    assert.equal(updated.code, 0, updated.stderr);
    const after = await eventually(async () => {
      const x = await get("upd");
      const cs = x?.status?.containerStatuses?.[0];
      return cs?.restartCount === 1 && cs.state.running && x;
    }, 20_000, "container replaced");
    assert.notEqual(after.status!.containerStatuses![0].containerID, first.status!.containerStatuses![0].containerID);
    assert.equal(after.status!.containerStatuses![0].image, "busybox:latest");
    assert.ok((await events("upd")).some((e) => e.reason === "Killing" && e.message === "Container c definition changed, will be restarted"));
    await d.cli(["delete", "pod", "upd", "--now"]);
  });
});

