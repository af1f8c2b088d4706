/**
 * A Secret's value that reaches a container's command or subPath through $(VAR) expansion is in no record: the
 * pod's explain file and the daemon's verbose log show the words as the pod spec writes them (as Kubernetes shows
 * the command in the pod), and the shim is told to name them so in its error texts (--redact). The real shim
 * invocation is replaced by /bin/sh reading the spec, so the records are the HostRunner's own.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Image } from "../../../src/api/image.js";
import type { Container, Pod } from "../../../src/api/types.js";
import { parseGroup, parsePasswd } from "../../../src/images/image-user.js";
import { resolveEnvironment } from "../../../src/runtime/container-env.js";
import { buildContainerLaunch, type LaunchInput } from "../../../src/runtime/container-launch.js";
import { FileRecorder } from "../../../src/runtime/explain.js";
import { monitorCommand, redactedSpec } from "../../../src/runtime/shim-argv.js";
import { runShim } from "../../../src/runtime/shim-client.js";
import { HostRunner } from "../../../src/sys/runner.js";

const SECRET = "s3cr3t-value-9f1c";
const pod: Pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "ns", uid: "u-1" }, spec: { containers: [] } };
const sources = { configMaps: { cfg: { MODE: "fast" } }, secrets: { db: { pw: SECRET, user: "admin" } }, hostname: "p" };
const image: Image = { id: "abc", tags: [], repoDigests: [], created: "", size: 0, lowerDirs: ["/l"], local: true, config: { Cmd: ["sh"], Env: ["PATH=/bin"] } };

function launchInput(c: Container): LaunchInput {
  return {
    pod: { ...pod, spec: { containers: [c] } },
    container: c,
    fieldPath: "spec.containers[0]",
    image,
    imageUsers: { passwd: parsePasswd("root:x:0:0:root:/root:/bin/sh\n"), group: parseGroup("root:x:0:\n") },
    id: "cid",
    paths: { rootfs: "/r", upper: "/u", work: "/w", exitFile: "/x", logPath: "/l", terminationLog: "/t", stdinFifo: "/in", controlFifo: "/ctl", hosts: "/h", hostname: "/hn", resolvConf: "/rc" },
    cgroupDirs: ["/cg"],
    oomFile: "/oom",
    sandboxPid: 42,
    volumes: new Map([["data", { hostPath: "/vol/data", readOnly: false }]]),
    env: sources,
    log: { maxSize: 1, maxFiles: 1 },
  };
}

test("variables carrying a Secret: secretKeyRef, envFrom secretRef (prefixed), and any value expanded from them", () => {
  const c: Container = {
    name: "c",
    envFrom: [{ secretRef: { name: "db" }, prefix: "DB_" }, { configMapRef: { name: "cfg" } }],
    env: [
      { name: "PW", valueFrom: { secretKeyRef: { name: "db", key: "pw" } } },
      { name: "URL", value: "postgres://admin:$(PW)@db" },
      { name: "PLAIN", value: "$(MODE)-$(MISSING)" },
      { name: "DB_user", value: "overridden" },
    ],
  };
  const r = resolveEnvironment(pod, c, [], sources);
  assert.deepEqual([...r.secret].sort(), ["DB_pw", "PW", "URL"]);
  assert.ok(r.env.includes(`URL=postgres://admin:${SECRET}@db`), "the container still gets the value");
});

test("a command and subPathExpr expanded from a Secret: the container gets the value, records and errors the spec's words", async () => {
  const c: Container = {
    name: "c",
    command: ["$(PW)", "-c", "echo $(PW) $(MODE)", "$(MODE)"],
    env: [{ name: "PW", valueFrom: { secretKeyRef: { name: "db", key: "pw" } } }, { name: "MODE", valueFrom: { configMapKeyRef: { name: "cfg", key: "MODE" } } }],
    volumeMounts: [{ name: "data", mountPath: "/d", subPathExpr: "$(PW)/x" }],
  };
  const launch = buildContainerLaunch(launchInput(c));
  assert.deepEqual(launch.argv, [SECRET, "-c", `echo ${SECRET} fast`, "fast"]);
  assert.deepEqual(launch.shownArgv, ["$(PW)", "-c", "echo $(PW) $(MODE)", "fast"]);
  const cmd = monitorCommand("/shim", launch);
  const tail = cmd.spec.slice(cmd.spec.indexOf("--", cmd.spec.indexOf("--redact")));
  assert.deepEqual(tail, ["--", SECRET, "-c", `echo ${SECRET} fast`, "fast"], "the shim runs the expanded command");
  assert.ok(cmd.spec.join(" ").includes(`--bind-sub /vol/data ${SECRET}/x /d`), "and mounts the expanded subPath");
  // The shim's error texts name the first word and the subPath as the pod spec writes them.
  const redact = cmd.spec.flatMap((w, i) => (w === "--redact" ? [[cmd.spec[i + 1], cmd.spec[i + 2]]] : []));
  assert.deepEqual(redact, [[SECRET, "$(PW)"], [`${SECRET}/x`, "$(PW)/x"]]);

  const shown = redactedSpec(cmd).join(" ");
  assert.ok(!shown.includes(SECRET), shown);
  assert.ok(shown.includes("--bind-sub /vol/data $(PW)/x /d") && shown.endsWith("-- $(PW) -c echo $(PW) $(MODE) fast"), shown);
  assert.ok(shown.includes("--env PW=…"), "environment names stay, values do not");

  // Through the one recording Runner: the pod's explain file and the verbose log hold no trace of the value.
  const dir = mkdtempSync(join(tmpdir(), "nodelet-secret-records-"));
  try {
    const file = join(dir, "explain.jsonl");
    const recorder = new FileRecorder(() => file);
    const log: string[] = [];
    const runner = new HostRunner(recorder, (m) => log.push(m));
    const answers = await runShim(runner, { ...cmd, argv: ["/bin/sh", "-c", "cat >/dev/null; echo ok 7 8"] }, "u-1");
    assert.deepEqual(answers, [7, 8]);
    recorder.flush();
    const recorded = readFileSync(file, "utf8");
    assert.ok(recorded.includes("$(PW)"), "the step is recorded");
    assert.ok(!recorded.includes(SECRET), recorded);
    assert.ok(log.length > 0 && !log.join("\n").includes(SECRET), log.join("\n"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a subPathExpr from a Secret that escapes the volume is refused without naming the value", () => {
  const c: Container = {
    name: "c",
    env: [{ name: "PW", valueFrom: { secretKeyRef: { name: "db", key: "pw" } } }],
    volumeMounts: [{ name: "data", mountPath: "/d", subPathExpr: "../$(PW)" }],
  };
  assert.throws(() => buildContainerLaunch(launchInput(c)), (err: Error) => err.message.includes('subPath "../$(PW)" escapes the volume') && !err.message.includes(SECRET));
});

test("without Secrets the record is the spec itself", () => {
  const cmd = monitorCommand("/shim", buildContainerLaunch(launchInput({ name: "c", command: ["echo", "$(MODE)"], envFrom: [{ configMapRef: { name: "cfg" } }] })));
  assert.equal(cmd.shown, undefined);
  assert.ok(!cmd.spec.includes("--redact"));
  assert.deepEqual(cmd.spec.slice(-3), ["--", "echo", "fast"]);
});
