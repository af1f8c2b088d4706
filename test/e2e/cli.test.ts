/**
 * The pod runtime core end to end: a real daemon driven by the real CLI — run, apply, get, describe, logs, delete,
 * restart policies and back-off, graceful deletion, bad input, a daemon killed and restarted under its pods, and
 * that nothing is left on the host afterwards.
 */
import { availableParallelism } from "node:os";
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Pod } from "../../src/api/types.js";
import { needsRoot } from "../helpers/root.js";
import { eventually, NODELET, suiteDaemon, type TestDaemon } from "../helpers/daemon.js";
import { execFile, spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { waitFor } from "../helpers/wait.js";

const skip = needsRoot();

function pod(d: TestDaemon, name: string): Promise<Pod | undefined> {
  return d.pod(name);
}

describe("nodelet CLI and daemon (privileged)", { skip }, () => {
  const d = suiteDaemon("cli");

  test("run --rm --attach streams the output and exits with the container's code", async () => {
    const ok = await d.cli(["run", "hello", "--image", "busybox", "--restart", "Never", "--rm", "--attach", "--", "sh", "-c", "echo hi from $(hostname); ps"]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^hi from hello\n/);
    assert.match(ok.stdout, /PID\s+USER\s+COMMAND\n\s+1 root/);
    const fail = await d.cli(["run", "fail", "--image", "busybox", "--restart", "Never", "--rm", "--attach", "--", "sh", "-c", "echo bye >&2; exit 3"]);
    assert.equal(fail.code, 3);
    assert.match(fail.stdout + fail.stderr, /bye/);
    assert.equal(await pod(d, "hello"), undefined, "--rm removed the pod");
  });

  test("the bundled CLI users run (bin/nodelet, built by make build) drives the daemon as the modules do", async (t) => {
    const bin = fileURLToPath(new URL("../../../bin/nodelet", import.meta.url));
    if (!existsSync(fileURLToPath(new URL("../../../dist/cli/nodelet.cjs", import.meta.url)))) return t.skip("no bundle: run make build");
    const env = { ...process.env, NODELET_SOCKET: d.socket };
    const run = spawnSync(bin, ["run", "bundled", "--image", "busybox", "--restart", "Never", "--rm", "--attach", "--", "sh", "-c", "echo hi from $(hostname); exit 5"], { env, encoding: "utf8", timeout: 60_000 });
    assert.equal(run.status, 5, run.stderr);
    assert.equal(run.stdout, 'hi from bundled\npod "bundled" deleted\n');
    const get = spawnSync(bin, ["get", "pods", "-o", "name"], { env, encoding: "utf8" });
    assert.equal(get.status, 0, get.stderr);
    assert.doesNotMatch(get.stdout, /bundled/);
    const help = spawnSync(bin, ["daemon", "--help"], { env, encoding: "utf8" });
    assert.match(help.stdout, /--proxy-mode VALUE/);
  });

  test("run without --restart makes a restartPolicy Always pod; get/describe/logs/delete work on it", async () => {
    const r = await d.cli(["run", "loop", "--image", "busybox", "--", "sh", "-c", "i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "pod/loop created\n");
    const p = await eventually(async () => {
      const x = await pod(d, "loop");
      return x?.status?.phase === "Running" && x;
    }, 20_000, "loop Running");
    assert.equal(p.spec.restartPolicy, "Always");
    assert.equal(p.apiVersion, "v1");
    assert.equal(p.kind, "Pod");
    assert.match(p.metadata.uid!, /^[0-9a-f-]{36}$/);
    assert.ok(p.metadata.creationTimestamp && p.metadata.resourceVersion);
    assert.ok(p.status!.startTime && p.status!.hostIP);
    const cs = p.status!.containerStatuses![0];
    assert.ok(cs.state.running?.startedAt);
    assert.equal(cs.ready, true);
    assert.equal(cs.restartCount, 0);
    assert.match(cs.containerID!, /^nodelet:\/\/[0-9a-f]{64}$/);
    assert.deepEqual(p.status!.conditions!.map((c) => [c.type, c.status]).find(([t]) => t === "Ready"), ["Ready", "True"]);
    const table = await d.cli(["get", "pods"]);
    assert.match(table.stdout, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\nloop\s+1\/1\s+Running\s+0\s+\d+s\n$/);
    const wide = await d.cli(["get", "pods", "-o", "wide"]);
    assert.match(wide.stdout, /IP\s+NODE/);
    const names = await d.cli(["get", "po", "-o", "name"]);
    assert.equal(names.stdout, "pod/loop\n");
    const yaml = await d.cli(["get", "pod/loop", "-o", "yaml"]);
    assert.match(yaml.stdout, /^apiVersion: v1\nkind: Pod\n/);
    await eventually(async () => (await d.cli(["logs", "loop", "--tail", "1"])).stdout.match(/^tick \d+\n$/), 10_000, "tail 1");
    const ts = await d.cli(["logs", "loop", "--timestamps", "--tail", "2"]);
    assert.match(ts.stdout, /^\d{4}-\d\d-\d\dT[\d:.]+Z tick \d+\n/);
    // The kubelet's log layout, which log shippers read: pods/NS_NAME_UID/CTR/N.log, and containers/NAME_NS_CTR-ID.log.
    const logFile = join(d.root, "log", "pods", `default_loop_${p.metadata.uid}`, "loop", "0.log");
    assert.match(readFileSync(logFile, "utf8"), /^\d{4}-\d\d-\d\dT[\d:.]+Z stdout F tick 0\n/);
    const link = join(d.root, "log", "containers", `loop_default_loop-${cs.containerID!.slice("nodelet://".length)}.log`);
    assert.equal(realpathSync(link), realpathSync(logFile));
    const desc = await d.cli(["describe", "pod", "loop"]);
    assert.match(desc.stdout, /Status:\s+Running/);
    assert.match(desc.stdout, /Restart Count:\s+0/);
    assert.match(desc.stdout, /Events:[\s\S]*Scheduled[\s\S]*Started/);
    const del = await d.cli(["delete", "pod", "loop", "--grace-period", "1"]);
    assert.equal(del.stdout, 'pod "loop" deleted\n');
    assert.equal(await pod(d, "loop"), undefined);
  });

  test("logs -f follows until the container exits", async () => {
    // The container prints 1, then waits for a gate the test opens once the follower has shown it: the rest is only
    // seen by following (a container that ran free could end between two polls of a loaded machine, never seen running).
    await d.cli(["run", "counter", "--image", "busybox", "--restart", "Never", "--", "sh", "-c", "echo 1; while [ ! -e /tmp/go ]; do sleep 0.1; done; echo 2; sleep 0.3; echo 3"]);
    await eventually(async () => (await pod(d, "counter"))?.status?.containerStatuses?.[0]?.state.running, 60_000, "counter running");
    const follower = spawn(process.execPath, [NODELET, "logs", "-f", "counter"], { env: { ...process.env, NODELET_SOCKET: d.socket }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    follower.stdout.setEncoding("utf8").on("data", (t: string) => (out += t));
    follower.stderr.setEncoding("utf8").on("data", (t: string) => (err += t));
    const exited = new Promise<number | null>((resolve) => follower.on("close", resolve));
    try {
      await waitFor("the follower showing the first line", () => out === "1\n", 60_000);
      const gate = await d.cli(["exec", "counter", "--", "touch", "/tmp/go"]);
      assert.equal(gate.code, 0, gate.stderr);
      const stuck = setTimeout(() => follower.kill(), 60_000); // a follower that misses the end fails, not hangs
      const code = await exited;
      clearTimeout(stuck);
      assert.equal(code, 0, `logs -f ended with ${code}: ${err}`);
      assert.equal(out, "1\n2\n3\n");
    } finally {
      follower.kill();
      await d.cli(["delete", "pod", "counter", "--now"]); // even after a failure: later tests count the pods
    }
  });

  test("a crashing container restarts with back-off (CrashLoopBackOff) and keeps its previous log", async () => {
    await d.cli(["run", "crash", "--image", "busybox", "--", "sh", "-c", "echo run; exit 1"]);
    const p = await eventually(async () => {
      const x = await pod(d, "crash");
      const cs = x?.status?.containerStatuses?.[0];
      return cs && cs.restartCount >= 1 && cs.state.waiting?.reason === "CrashLoopBackOff" && x;
    }, 30_000, "CrashLoopBackOff");
    const cs = p.status!.containerStatuses![0];
    assert.equal(cs.lastState.terminated?.exitCode, 1);
    assert.equal(cs.lastState.terminated?.reason, "Error");
    assert.match(cs.state.waiting!.message!, /^back-off 10s restarting failed container=crash pod=crash_default/);
    assert.equal(p.status!.phase, "Running");
    const table = await d.cli(["get", "pod", "crash"]);
    assert.match(table.stdout, /crash\s+0\/1\s+CrashLoopBackOff\s+\d+ \(\d+s ago\)/);
    const prev = await d.cli(["logs", "crash", "--previous"]);
    assert.equal(prev.stdout, "run\n");
    await d.cli(["delete", "pod", "crash", "--now"]);
  });

  test("restartPolicy OnFailure: success completes, failure restarts; Never: failure is final", async () => {
    const manifest = join(d.root, "policies.yaml");
    writeFileSync(
      manifest,
      ["ok:OnFailure:exit 0", "bad:Never:exit 2"]
        .map((s) => s.split(":"))
        .map(([name, policy, cmd]) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  restartPolicy: ${policy}\n  containers:\n  - name: c\n    image: busybox\n    command: ["sh", "-c", "${cmd}"]\n`)
        .join("---\n"),
    );
    const applied = await d.cli(["apply", "-f", manifest]);
    assert.equal(applied.stdout, "pod/ok created\npod/bad created\n");
    const ok = await eventually(async () => (await pod(d, "ok"))?.status?.phase === "Succeeded" && pod(d, "ok"), 15_000, "ok Succeeded");
    assert.equal(ok.status!.containerStatuses![0].state.terminated!.reason, "Completed");
    assert.equal(ok.status!.containerStatuses![0].restartCount, 0);
    const bad = await eventually(async () => (await pod(d, "bad"))?.status?.phase === "Failed" && pod(d, "bad"), 15_000, "bad Failed");
    assert.equal(bad.status!.containerStatuses![0].state.terminated!.exitCode, 2);
    const table = await d.cli(["get", "pods"]);
    assert.match(table.stdout, /bad\s+0\/1\s+Error/);
    assert.match(table.stdout, /ok\s+0\/1\s+Completed/);
    const again = await d.cli(["apply", "-f", manifest]);
    assert.equal(again.stdout, "pod/ok unchanged\npod/bad unchanged\n");
    const del = await d.cli(["delete", "-f", manifest]);
    assert.equal(del.stdout, 'pod "ok" deleted\npod "bad" deleted\n');
  });

  test("graceful deletion: SIGTERM first, SIGKILL after terminationGracePeriodSeconds", async () => {
    const manifest = join(d.root, "grace.yaml");
    writeFileSync(
      manifest,
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: stubborn\nspec:\n  terminationGracePeriodSeconds: 2\n  containers:\n  - name: c\n    image: busybox\n    command: ["sleep", "3600"]\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: polite\nspec:\n  containers:\n  - name: c\n    image: busybox\n    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.1; done"]\n`,
    );
    await d.cli(["apply", "-f", manifest]);
    await eventually(async () => (await pod(d, "stubborn"))?.status?.phase === "Running" && (await pod(d, "polite"))?.status?.phase === "Running", 15_000, "both running");
    let t = Date.now();
    await d.cli(["delete", "pod", "polite"]);
    // The bounds tell "at once" and "after the 2 s" from the 30 s default grace period, with room for a loaded machine.
    assert.ok(Date.now() - t < 20_000, `a container that handles SIGTERM stops at once (${Date.now() - t} ms)`);
    t = Date.now();
    await d.cli(["delete", "pod", "stubborn"]);
    const took = Date.now() - t;
    assert.ok(took >= 1800 && took < 20_000, `sleep as PID 1 ignores SIGTERM: killed after the 2 s grace period (${took} ms)`);
  });

  test("bad input: clear errors naming the field, non-zero exit, nothing created", async () => {
    const bad = async (args: string[], pattern: RegExp) => {
      const r = await d.cli(args);
      assert.notEqual(r.code, 0, `${args.join(" ")} should fail`);
      assert.match(r.stderr, pattern);
    };
    await bad(["run", "Bad_Name", "--image", "busybox"], /metadata\.name: Invalid value: "Bad_Name"/);
    await bad(["run", "q", "--image", "busybox", "--limits", "cpu=5 cores"], /spec\.containers\[0\]\.resources\.limits\.cpu/);
    await bad(["run", "neg", "--image", "busybox", "--limits", "memory=-1Mi"], /resources\.limits\.memory/);
    const dup = join(d.root, "dup.yaml");
    writeFileSync(dup, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: dup\nspec:\n  containers:\n  - name: a\n    image: busybox\n  - name: a\n    image: busybox\n");
    await bad(["apply", "-f", dup], /spec\.containers\[1\]\.name: Duplicate value: "a"/);
    const escape = join(d.root, "escape.yaml");
    writeFileSync(escape, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: esc\nspec:\n  volumes:\n  - name: v\n    emptyDir: {}\n  containers:\n  - name: a\n    image: busybox\n    volumeMounts:\n    - name: v\n      mountPath: /v\n      subPath: ../../etc\n");
    await bad(["apply", "-f", escape], /subPath: Invalid value: "\.\.\/\.\.\/etc": must not contain '\.\.'/);
    const garbage = join(d.root, "garbage.yaml");
    writeFileSync(garbage, "apiVersion: v1\nkind: Pod\nmetadata: [unclosed\n");
    await bad(["apply", "-f", garbage], /garbage\.yaml/);
    const unknown = join(d.root, "unknown.yaml");
    writeFileSync(unknown, "apiVersion: v1\nkind: Frobnicator\nmetadata:\n  name: x\n");
    await bad(["apply", "-f", unknown], /Frobnicator/);
    await bad(["get", "pod", "nope"], /Error from server \(NotFound\): pods "nope" not found/);
    await d.cli(["run", "twice", "--image", "busybox", "--", "sleep", "60"]);
    await bad(["run", "twice", "--image", "busybox"], /AlreadyExists/);
    const names = (await d.cli(["get", "pods", "-o", "name"])).stdout;
    assert.equal(names, "pod/twice\n", "only the valid pod exists");
    await d.cli(["delete", "pod", "twice", "--now"]);
  });

  test("a pod naming an image the node lacks is accepted and waits in ErrImagePull / ImagePullBackOff; Never waits as ErrImageNeverPull", async () => {
    const r = await d.cli(["run", "noimg", "--image", "nosuchimage:1.0", "--", "true"]);
    assert.equal(r.code, 0, r.stderr);
    const waiting = await eventually(async () => {
      const w = (await pod(d, "noimg"))?.status?.containerStatuses?.[0]?.state.waiting;
      return w?.reason === "ImagePullBackOff" && w;
    }, 30_000, "ImagePullBackOff");
    assert.equal(waiting.message, 'Back-off pulling image "nosuchimage:1.0"');
    const events = (await d.cli(["get", "events", "-o", "json"])).stdout;
    assert.match(events, /Pulling image \\"nosuchimage:1\.0\\"/);
    assert.match(events, /Failed to pull image \\"nosuchimage:1\.0\\": /);
    await d.cli(["delete", "pod", "noimg", "--now"]);
    // Static pods do not come through the API: the kubelet reports the missing image on the pod, as for a registry miss.
    const node = (await d.cli(["get", "nodes", "-o", "name"])).stdout.trim().replace(/^node\//, "");
    const manifest = join(d.root, "manifests", "noimg.yaml");
    mkdirSync(dirname(manifest), { recursive: true });
    writeFileSync(manifest, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: noimg\nspec:\n  containers:\n  - name: c\n    image: nosuchimage:1.0\n    imagePullPolicy: Never\n");
    try {
      const p = await eventually(async () => {
        const x = await pod(d, `noimg-${node}`);
        return x?.status?.containerStatuses?.[0]?.state.waiting?.reason === "ErrImageNeverPull" && x;
      }, 15_000, "ErrImageNeverPull");
      assert.equal(p.status!.phase, "Pending");
    } finally {
      rmSync(manifest, { force: true });
    }
    await eventually(async () => (await pod(d, `noimg-${node}`)) === undefined, 15_000, "the static pod goes with its file");
  });

  test("a user other than root is refused by the socket", async () => {
    const asNobody = await new Promise<{ failed: boolean; stderr: string }>((resolve) => {
      execFile(process.execPath, [NODELET, "get", "pods"], { env: { ...process.env, NODELET_SOCKET: d.socket }, uid: 65534, gid: 65534 }, (err, _out, stderr) =>
        resolve({ failed: err !== null, stderr }),
      );
    });
    assert.equal(asNobody.failed, true);
    assert.match(asNobody.stderr, /EACCES|permission denied|root/i);
  });

  test("exec runs in the container with its exit code and stdin; top reads cgroup accounting", async () => {
    await d.cli(["run", "box", "--image", "busybox", "--", "sh", "-c", "while true; do :; done"]);
    await eventually(async () => (await pod(d, "box"))?.status?.phase === "Running", 10_000, "box running");
    const host = await d.cli(["exec", "box", "--", "hostname"]);
    assert.equal(host.stdout, "box\n");
    const code = await d.cli(["exec", "box", "--", "sh", "-c", "echo out; echo err >&2; exit 4"]);
    assert.equal(code.code, 4);
    assert.equal(code.stdout, "out\n");
    assert.equal(code.stderr, "err\n");
    const stdin = await d.cli(["exec", "-i", "box", "--", "tr", "a-z", "A-Z"], "piped through\n");
    assert.equal(stdin.stdout, "PIPED THROUGH\n");
    const missing = await d.cli(["exec", "box", "--", "no-such-command"]);
    assert.equal(missing.code, 127);
    const top = await d.cli(["top", "pods"]);
    assert.equal(top.code, 0, top.stderr);
    const row = /^box\s+(\d+)m\s+(\d+)Mi$/m.exec(top.stdout);
    assert.ok(row, top.stdout);
    // A busy loop gets most of a core on a quiet machine and a share of it on a loaded one; an idle pod reads 0m, and
    // no container reads more than the machine's cores.
    assert.ok(Number(row[1]) > 20 && Number(row[1]) <= 1000 * availableParallelism() + 100, `a busy loop's usage (${row[1]}m)`);
    const described = (await d.cli(["describe", "pod", "box"])).stdout;
    const usage = /^ {4}Usage:\n {6}cpu: +(\d+)m\n {6}memory: +\d+Mi$/m.exec(described);
    assert.ok(usage, described);
    // The same bounds as top's: how much of a core the loop gets depends on what else the machine runs.
    assert.ok(Number(usage[1]) > 20 && Number(usage[1]) <= 1000 * availableParallelism() + 100, `describe reads the same accounting (${usage[1]}m)`);
    await d.cli(["delete", "pod", "box", "--now"]);
  });

  test("a memory hog over its limit is OOMKilled; get filters by label and namespace", async () => {
    const r = await d.cli(["run", "hog", "--image", "busybox", "--restart", "Never", "--limits", "memory=32Mi", "--labels", "tier=mem", "--", "sh", "-c", "x=$(head -c 200000000 /dev/zero | tr '\\0' a)"]);
    assert.equal(r.code, 0, r.stderr);
    const p = await eventually(async () => {
      const x = await pod(d, "hog");
      return x?.status?.phase === "Failed" && x;
    }, 30_000, "hog Failed");
    const t = p.status!.containerStatuses![0].state.terminated!;
    assert.deepEqual([t.reason, t.exitCode], ["OOMKilled", 137]);
    assert.match((await d.cli(["get", "pods", "-l", "tier=mem"])).stdout, /^hog\s+0\/1\s+OOMKilled/m);
    assert.equal((await d.cli(["get", "pods", "-l", "tier=other", "-o", "name"])).stdout, "");
    assert.match((await d.cli(["get", "pods", "-A"])).stdout, /^NAMESPACE\s+NAME\s+READY[\s\S]*^default\s+hog\s/m);
    assert.match((await d.cli(["get", "pods", "-n", "kube-system"])).stderr, /No resources found in kube-system namespace/);
    await d.cli(["delete", "pod", "hog"]);
  });

  test("image build --from-host copies binaries and exactly their libraries; the image runs", async () => {
    const built = await d.cli(["image", "build", "--from-host", "/usr/bin/python3", "/usr/lib/python3.11", "--tag", "python:3.11"]);
    assert.equal(built.code, 0, built.stderr);
    assert.match(built.stdout, /Successfully tagged python:3\.11/);
    const list = await d.cli(["images"]);
    assert.match(list.stdout, /^REPOSITORY\s+TAG\s+IMAGE ID\s+SIZE$/m);
    assert.match(list.stdout, /^busybox\s+latest\s+/m);
    assert.match(list.stdout, /^python\s+3\.11\s+[0-9a-f]{12}\s+/m);
    const r = await d.cli(["run", "py", "--image", "python:3.11", "--restart", "Never", "--rm", "--attach", "--command", "--", "/usr/bin/python3", "-c", "import json, os; print(json.dumps({'pid': os.getpid(), 'sum': 1 + 1}))"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.split("\n")[0], '{"pid": 1, "sum": 2}');
    const rm = await d.cli(["image", "rm", "python:3.11"]);
    assert.equal(rm.code, 0);
    const bad = await d.cli(["image", "build", "--from-host", "/no/such/binary", "--tag", "x"]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /--from-host: "\/no\/such\/binary" does not exist/);
  });

  test("image build --debian: names that are not Debian packages and mixed sources refused before mmdebstrap runs", async () => {
    const bad = await d.cli(["image", "build", "--debian", "hello", "Not_A_Package", "--tag", "deb:1"]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /--debian: "Not_A_Package" is not a Debian package name/);
    const both = await d.cli(["image", "build", "--debian", "hello", "--from-host", "/bin/sh", "--tag", "deb:1"]);
    assert.notEqual(both.code, 0);
    assert.match(both.stderr, /takes --from-host or --debian, not both/);
    assert.doesNotMatch((await d.cli(["images"])).stdout, /^deb\s/m);
  });

  test("explain prints the host steps that built the pod", async () => {
    await d.cli(["run", "shown", "--image", "busybox", "--", "sleep", "60"]);
    await eventually(async () => (await pod(d, "shown"))?.status?.phase === "Running", 10_000, "shown running");
    const r = await d.cli(["explain", "pod", "shown"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^#!\/bin\/sh\n/);
    assert.match(r.stdout, /cpu\.shares/);
    // The sandbox made for the pod, or (--warm-sandboxes) made ahead under a name of its own and renamed to the pod.
    assert.match(r.stdout, /nodelet-shim sandbox[\s\\]*--hostname (shown|warm-[0-9a-f]{8})[\s\S]*--shm /);
    // A claimed warm sandbox is renamed by the first container's start (its spec's --uts-hostname), not by a command.
    if (/--hostname warm-/.test(r.stdout)) assert.match(r.stdout, /--uts-hostname[\s\\]+'?shown'?[\s\\]/);
    // The container spec is piped to the monitor (never on its argv), shown as the printf that feeds it.
    assert.match(r.stdout, /printf '%s\\0'[\s\S]*--lower [\s\S]*-- sleep 60 \|\n\s*\S*nodelet-shim monitor[\s\\]*--id \S+[\s\\]*--spec-fd 0\n/);
    await d.cli(["delete", "pod", "shown", "--now"]);
  });

  test("explain --timing shows the pod's start step by step, from the API request to Running", async () => {
    await d.cli(["run", "timed", "--image", "busybox", "--", "sleep", "60"]);
    await eventually(async () => (await pod(d, "timed"))?.status?.phase === "Running", 10_000, "timed running");
    const r = await d.cli(["explain", "pod", "timed", "--timing", "-o", "json"]);
    assert.equal(r.code, 0, r.stderr);
    const t = JSON.parse(r.stdout) as { complete: boolean; totalMs: number; steps: { name: string; level: string; startMs: number; durationMs: number }[] };
    assert.equal(t.complete, true);
    const at = (name: string) => {
      const s = t.steps.find((x) => x.name === name);
      assert.ok(s, `${name} in ${t.steps.map((x) => x.name).join(" | ")}`);
      return s;
    };
    const api = at("API: read, decode, admit, store the pod");
    assert.equal(api.startMs, 0, "the start begins with the API request");
    const sandbox = at("sandbox");
    const container = at("container timed");
    const status = at("kubelet: status write (Running)");
    assert.ok(sandbox.startMs + sandbox.durationMs <= container.startMs + 0.001, "the sandbox before the container");
    const logDirs = at("log directories");
    assert.ok(logDirs.startMs >= sandbox.startMs && logDirs.startMs < container.startMs, "the log directories are made with the sandbox");
    assert.ok(at("log file and its /var/log/containers link").startMs >= container.startMs);
    // The shim's own steps, on the same clock, inside the container's phase.
    for (const name of ["shim: mount namespace, overlay root", "shim: pivot_root", "shim: execve"]) {
      const s = at(name);
      assert.ok(s.startMs >= container.startMs && s.startMs + s.durationMs <= container.startMs + container.durationMs + 0.001, `${name} within the container's start`);
    }
    assert.ok(t.steps.some((s) => s.level === "host" && /^nodelet-shim (sandbox|monitor)/.test(s.name)), "host commands are in the trace");
    assert.ok(Math.abs(t.totalMs - (status.startMs + status.durationMs)) < 0.01, "the total ends with the status that says Running");
    const table = await d.cli(["explain", "pod", "timed", "--timing"]);
    assert.match(table.stdout, /^# pod default\/timed \(uid [0-9a-f-]+\): its start, step by step\nSTEP\s+START \(ms\)\s+TOOK \(ms\)\n/);
    assert.match(table.stdout, /\n {2}shim: pivot_root\s+\d+\.\d\d\s+\d+\.\d\d\n/);
    assert.match(table.stdout, /# [\d.]+ ms from the API request to the status that says Running\n$/);
    const bad = await d.cli(["explain", "pod", "timed", "-o", "json"]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--output: only json, with --timing/);
    const missing = await d.cli(["explain", "pod", "nosuchpod", "--timing"]);
    assert.match(missing.stderr, /pods "nosuchpod" not found/);
    await d.cli(["delete", "pod", "timed", "--now"]);
  });
});
