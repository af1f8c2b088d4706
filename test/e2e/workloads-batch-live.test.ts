/**
 * Jobs on a live node (privileged): the Kubernetes docs' Job example (controllers/job.yaml, "pi") run with real
 * kubectl to Complete, and an Indexed Job whose pods see their index and hostname from inside the container.
 * The docs' image is perl:5.34.0 running `perl -Mbignum=bpi -wle 'print bpi(2000)'`; no registry is reachable here,
 * so the image is mapped to the local busybox and pi is computed to 100 digits with busybox bc (4*a(1)) instead.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { TestDaemon } from "../helpers/daemon.js";
import { needsCommand, needsRoot, skipUnless } from "../helpers/root.js";
import { waitFor } from "../helpers/wait.js";
import { freePort } from "../helpers/ports.js";

const skip = skipUnless(needsRoot(), needsCommand("kubectl"));

const PI_JOB = `apiVersion: batch/v1
kind: Job
metadata:
  name: pi
spec:
  template:
    spec:
      containers:
      - name: pi
        image: busybox
        command: ["sh", "-c", "echo 'scale=100; 4*a(1)' | bc -l"]
      restartPolicy: Never
  backoffLimit: 4
`;

const INDEXED_JOB = `apiVersion: batch/v1
kind: Job
metadata:
  name: idx
spec:
  completions: 2
  parallelism: 2
  completionMode: Indexed
  template:
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: c
        image: busybox
        command: ["sh", "-c", "echo index=$JOB_COMPLETION_INDEX host=$(hostname)"]
      restartPolicy: Never
`;

/** Runs until deleted; backoffLimit above the one failure the test makes. */
const SLEEPER_JOB = `apiVersion: batch/v1
kind: Job
metadata:
  name: sleeper
spec:
  backoffLimit: 3
  template:
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: c
        image: busybox
        command: ["sleep", "600"]
      restartPolicy: Never
`;

describe("Jobs on a live node (privileged)", { skip }, () => {
  let d: TestDaemon;
  let cache: string;
  const kubectl = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile("kubectl", ["--kubeconfig", join(d.root, "kubeconfig"), "--cache-dir", cache, ...args], { timeout: 60_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  const jsonpath = async (what: string, path: string) => (await kubectl(["get", what, "-o", `jsonpath=${path}`])).stdout;

  before(async () => {
    d = new TestDaemon("batch", ["--listen", `127.0.0.1:${await freePort()}`]);
    cache = mkdtempSync(join(tmpdir(), "nodelet-batch-cache-"));
    await d.start();
  });
  after(async () => {
    await d.cleanup();
    rmSync(cache, { recursive: true, force: true });
    assert.deepEqual(d.leftovers(), []);
  });

  it("the docs' pi Job runs to Complete; get, logs job/pi", async () => {
    const file = join(d.root, "pi.yaml");
    writeFileSync(file, PI_JOB);
    const applied = await kubectl(["apply", "-f", file]);
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, /job\.batch\/pi created/);
    await waitFor("job pi Complete", async () => (await jsonpath("job/pi", '{.status.conditions[?(@.type=="Complete")].status}')) === "True", 60_000, 200).catch(async (err: Error) => {
      const pods = (await kubectl(["get", "pods", "-o", "yaml"])).stdout;
      const logs = (await kubectl(["logs", "job/pi"])).stdout;
      throw new Error(`${err.message}\n${(await kubectl(["describe", "job", "pi"])).stdout}\n${pods}\nlogs: ${logs}`);
    });
    assert.match((await kubectl(["get", "job", "pi"])).stdout, /^pi\s+Complete\s+1\/1\s+\d+s\s+\d+s$/m);
    assert.match((await kubectl(["logs", "job/pi"])).stdout, /^3\.14159265358979323846264338327950288419716939937510/);
    assert.equal(await jsonpath("pods", "{.items[*].status.phase}"), "Succeeded");
    // Counted through uncountedTerminatedPods, its pod kept without the job-tracking finalizer.
    assert.equal(await jsonpath("job/pi", "{.status.succeeded}/{.status.uncountedTerminatedPods}"), "1/{}");
    assert.equal(await jsonpath("pods", "{.items[*].metadata.finalizers}"), "");
    // nodelet's own get and describe print the same.
    const got = await d.cli(["get", "jobs"]);
    assert.match(got.stdout, /^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE\n/);
    assert.match(got.stdout, /^pi\s+Complete\s+1\/1\s+\d+s\s+\d+s$/m);
    const described = (await d.cli(["describe", "job", "pi"])).stdout;
    assert.match(described, /^Pods Statuses:\s+0 Active \(0 Ready\) \/ 1 Succeeded \/ 0 Failed$/m);
    assert.match(described, /^Backoff Limit:\s+4$/m);
    assert.match(described, /Completed\s+\S+\s+job-controller\s+Job completed/);
  });

  it("a running Job pod carries the job-tracking finalizer; kubectl delete pod: it ends Failed, is counted, then goes", async () => {
    const file = join(d.root, "sleeper.yaml");
    writeFileSync(file, SLEEPER_JOB);
    assert.equal((await kubectl(["apply", "-f", file])).code, 0);
    const running = async () => (await jsonpath("pods", '{range .items[?(@.status.phase=="Running")]}{.metadata.name} {.metadata.finalizers}{"\\n"}{end}')).trim();
    await waitFor("the sleeper's pod running", async () => /^sleeper-\S+ /.test(await running()), 60_000, 200);
    const [name, finalizers] = (await running()).split(" ");
    assert.equal(finalizers, '["batch.kubernetes.io/job-tracking"]');
    const del = await kubectl(["delete", "pod", name, "--timeout=60s"]);
    assert.equal(del.code, 0, del.stderr);
    assert.equal(await jsonpath("job/sleeper", "{.status.failed}/{.status.uncountedTerminatedPods}"), "1/{}", "counted before it went");
    // A finished Job pod is deleted at once too.
    const pi = (await jsonpath("pods", "{.items[*].metadata.name}")).split(" ").find((n) => n.startsWith("pi-"));
    assert.ok(pi);
    const delPi = await kubectl(["delete", "pod", pi, "--timeout=30s"]);
    assert.equal(delPi.code, 0, delPi.stderr);
    assert.equal((await kubectl(["delete", "job", "sleeper", "--timeout=60s"])).code, 0);
    await waitFor("the sleeper's pods gone", async () => !(await jsonpath("pods", "{.items[*].metadata.name}")).includes("sleeper-"), 60_000, 200);
  });

  it("an Indexed Job's pods see JOB_COMPLETION_INDEX and the hostname NAME-INDEX", async () => {
    const file = join(d.root, "idx.yaml");
    writeFileSync(file, INDEXED_JOB);
    assert.equal((await kubectl(["apply", "-f", file])).code, 0);
    await waitFor("job idx Complete", async () => (await jsonpath("job/idx", '{.status.conditions[?(@.type=="Complete")].status}')) === "True", 60_000, 200);
    assert.equal(await jsonpath("job/idx", "{.status.completedIndexes}"), "0-1");
    assert.match((await d.cli(["describe", "job", "idx"])).stdout, /^Completed Indexes:\s+0-1$/m);
    const names = (await jsonpath("pods", "{.items[*].metadata.name}")).split(" ").filter((n) => n.startsWith("idx-"));
    const logs = await Promise.all(names.map(async (n) => (await kubectl(["logs", n])).stdout));
    assert.deepEqual(logs.sort(), ["index=0 host=idx-0\n", "index=1 host=idx-1\n"]);
    const del = await kubectl(["delete", "job", "idx", "pi"]);
    assert.equal(del.code, 0, del.stderr);
    await waitFor("the jobs' pods deleted", async () => (await jsonpath("pods", "{.items[*].metadata.name}")) === "", 60_000, 200);
  });
});
