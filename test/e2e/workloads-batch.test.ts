/**
 * kubectl and Jobs and CronJobs: discovery, `create job|cronjob`, `create job --from=cronjob/NAME`, the Table
 * columns, describe, logs job/NAME, cascading delete, Kubernetes' field errors. Pods run on a fake kubelet that finishes them (exit 0, or the exit code a
 * container named `fail-N` asks for), so the controllers are seen through real kubectl without a runtime.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Job } from "../../src/api/batch-types.js";
import type { Pod } from "../../src/api/types.js";
import { needsCommand, skipUnless } from "../helpers/root.js";
import { waitFor } from "../helpers/wait.js";
import { startWorkloadsEnv, type WorkloadsEnv } from "./workloads-kubectl-harness.js";

const skip = skipUnless(needsCommand("kubectl"), needsCommand("openssl"));
if (skip) console.log(`# skipping batch e2e: ${skip}`);

describe("kubectl and Jobs", { skip }, () => {
  let env: WorkloadsEnv;
  before(async () => {
    env = await startWorkloadsEnv({ exit: (p) => Number(/^fail-(\d+)$/.exec(p.spec.containers[0].name)?.[1] ?? 0) }, { hello: "hi from the job\n" });
  });
  after(async () => {
    await env?.close();
  });

  const job = (name: string) => env.t.store.get<Job>("Job", "default", name);
  const podsOf = (name: string) => env.t.store.list<Pod>("Pod", { namespace: "default", labelSelector: `batch.kubernetes.io/job-name=${name}` }).items;
  const complete = (name: string) => job(name)?.status?.conditions?.some((c) => c.type === "Complete" && c.status === "True") ?? false;

  it("api-resources lists jobs and cronjobs in batch/v1", async () => {
    const out = await env.ok(["api-resources", "--api-group=batch"]);
    assert.match(out, /^cronjobs\s+cj\s+batch\/v1\s+true\s+CronJob$/m);
    assert.match(out, /^jobs\s+batch\/v1\s+true\s+Job$/m);
  });

  it("create job runs to Complete; get, describe and logs job/NAME show it", async () => {
    assert.match(await env.ok(["create", "job", "hello", "--image=busybox", "--", "echo", "hi"]), /^job\.batch\/hello created$/m);
    await waitFor("job hello Complete", () => complete("hello"), 20_000);
    const table = await env.ok(["get", "jobs"]);
    assert.match(table, /^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE$/m);
    assert.match(table, /^hello\s+Complete\s+1\/1\s+\d+s\s+\d+s$/m);
    const described = await env.ok(["describe", "job", "hello"]);
    assert.match(described, /^Selector:\s+batch\.kubernetes\.io\/controller-uid=[0-9a-f-]{36}$/m);
    assert.match(described, /^Pods Statuses:\s+0 Active \(0 Ready\) \/ 1 Succeeded \/ 0 Failed$/m);
    assert.match(described, /Normal\s+SuccessfulCreate\s+\S+\s+job-controller\s+Created pod: hello-[a-z0-9]{5}/);
    assert.match(described, /Normal\s+Completed\s+\S+\s+job-controller\s+Job completed/);
    assert.equal(await env.ok(["logs", "job/hello"]), "hi from the job\n");
  });

  it("a failing job backs off and fails with BackoffLimitExceeded", async () => {
    env.file("fail.yaml", "");
    await env.ok(["apply", "-f", env.file("fail.yaml", FAILING_JOB)]);
    await waitFor("job fails Failed", () => job("fails")?.status?.conditions?.some((c) => c.type === "Failed" && c.status === "True") ?? false, 20_000);
    const cond = job("fails")?.status?.conditions?.find((c) => c.type === "Failed");
    assert.equal(cond?.reason, "BackoffLimitExceeded");
    assert.equal(cond?.message, "Job has reached the specified backoff limit");
    assert.match(await env.ok(["get", "job", "fails"]), /^fails\s+Failed\s+0\/1\s+/m);
  });

  it("refuses a Job whose pods would restart Always, with the API's field error, and creates nothing", async () => {
    const r = await env.kubectl(["apply", "-f", env.file("bad.yaml", FAILING_JOB.replace("fails", "bad").replace("Never", "Always"))]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /The Job "bad" is invalid: spec\.template\.spec\.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"/);
    assert.equal(job("bad"), undefined);
  });

  it("delete job removes its pods (background cascade)", async () => {
    assert.ok(podsOf("hello").length > 0);
    assert.match(await env.ok(["delete", "job", "hello"]), /job\.batch "hello" deleted/);
    await waitFor("hello's pods deleted", () => podsOf("hello").length === 0, 20_000);
  });
});

describe("kubectl and CronJobs", { skip }, () => {
  let env: WorkloadsEnv;
  before(async () => {
    env = await startWorkloadsEnv({ exit: () => 0 });
  });
  after(async () => {
    await env?.close();
  });

  it("create cronjob, get cronjobs, create job --from=cronjob/NAME", async () => {
    assert.match(await env.ok(["create", "cronjob", "tick", "--image=busybox", "--schedule=*/5 * * * *", "--", "date"]), /^cronjob\.batch\/tick created$/m);
    const table = await env.ok(["get", "cronjobs"]);
    assert.match(table, /^NAME\s+SCHEDULE\s+TIMEZONE\s+SUSPEND\s+ACTIVE\s+LAST SCHEDULE\s+AGE$/m);
    assert.match(table, /^tick\s+\*\/5 \* \* \* \*\s+<none>\s+False\s+0\s+<none>\s+\d+s$/m);
    assert.match(await env.ok(["create", "job", "manual", "--from=cronjob/tick"]), /^job\.batch\/manual created$/m);
    const job = env.t.store.get<Job>("Job", "default", "manual");
    assert.equal(job?.metadata.annotations?.["cronjob.kubernetes.io/instantiate"], "manual");
    assert.equal(job?.metadata.ownerReferences?.[0]?.kind, "CronJob");
    assert.deepEqual(job?.spec.template.spec.containers.map((c) => c.command), [["date"]]);
    await waitFor("job manual Complete", () => env.t.store.get<Job>("Job", "default", "manual")?.status?.conditions?.some((c) => c.type === "Complete") ?? false, 20_000);
    const described = await env.ok(["describe", "cronjob", "tick"]);
    assert.match(described, /^Schedule:\s+\*\/5 \* \* \* \*$/m);
    assert.match(described, /^Concurrency Policy:\s+Allow$/m);
  });

  it("refuses an invalid schedule and an unknown time zone with the API's field errors", async () => {
    const bad = await env.kubectl(["create", "cronjob", "bad", "--image=busybox", "--schedule=61 * * * *"]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /CronJob "bad" is invalid: spec\.schedule: Invalid value: "61 \* \* \* \*": end of range \(61\) above maximum \(59\): 61/);
    const tz = await env.kubectl(["apply", "-f", env.file("tz.yaml", CRONJOB.replace("UTC", "Mars/Olympus"))]);
    assert.match(tz.stderr, /spec\.timeZone: Invalid value: "Mars\/Olympus": unknown time zone Mars\/Olympus/);
    assert.match(await env.ok(["apply", "-f", env.file("ok.yaml", CRONJOB)]), /cronjob\.batch\/hello created/);
    assert.match(await env.ok(["get", "cj", "hello"]), /^hello\s+@hourly\s+UTC\s+False\s+0\s+<none>/m);
  });

  it("delete cronjob removes its jobs (background cascade)", async () => {
    await env.ok(["delete", "cronjob", "tick"]);
    await waitFor("tick's job deleted", () => env.t.store.get<Job>("Job", "default", "manual") === undefined, 20_000);
  });
});

const CRONJOB = `apiVersion: batch/v1
kind: CronJob
metadata:
  name: hello
spec:
  schedule: "@hourly"
  timeZone: UTC
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: hello
            image: busybox
`;

const FAILING_JOB = `apiVersion: batch/v1
kind: Job
metadata:
  name: fails
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: fail-3
        image: busybox
`;
