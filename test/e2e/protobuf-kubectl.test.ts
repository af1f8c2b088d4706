/**
 * Real kubectl (v1.32) sending protobuf bodies, against one in-process API server (HTTPS, bearer token) shared by
 * every case: the objects it encodes with Go's own protobuf code must arrive with every field. `-v=7` shows each
 * request's Content-Type, so every case first proves the body went as application/vnd.kubernetes.protobuf.
 * And reading protobuf answers: kubectl's typed clients (describe, drain, logs on a workload, create) get objects,
 * lists, Status errors and a watch as protobuf (`-v=8` shows each response's Content-Type) and decode them with Go's
 * generated code; a plain HTTPS client reads the same bytes with a schema-less reader against upstream's numbers.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ensureServingCert, writeKubeconfig } from "../../src/apiserver/index.js";
import { request } from "node:https";
import { everyFieldPodSpec, type Json } from "../helpers/pod-every-field.js";
import { intAt, messageAt, messagesAt, readEnvelope, textAt } from "../helpers/protobuf-wire.js";
import { waitFor } from "../helpers/wait.js";
import { needsCommand, skipUnless } from "../helpers/root.js";
import { startTestServer, storePod, testPod, type TestServer } from "../unit/apiserver/harness.js";

const skip = skipUnless(needsCommand("kubectl"), needsCommand("openssl"));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The URLs kubectl POSTed or PUT as protobuf: -v=7 logs "VERB URL", then "Request Headers:" and one header a line. */
function protobufWrites(stderr: string): string[] {
  const out: string[] = [];
  for (const block of stderr.split(/(?=^\S+ \S+ +\d+ round_trippers\.go:\d+\] [A-Z]+ https?:)/m)) {
    const req = /round_trippers\.go:\d+\] (POST|PUT) (\S+)/.exec(block);
    if (req && /Content-Type: application\/vnd\.kubernetes\.protobuf$/m.test(block)) out.push(req[2]);
  }
  return out;
}

/** "VERB URL" → the response's Content-Type, from -v=8's "Response Headers:" block of each request. */
function protobufReads(stderr: string): string[] {
  const out: string[] = [];
  for (const block of stderr.split(/(?=^\S+ \S+ +\d+ round_trippers\.go:\d+\] [A-Z]+ https?:)/m)) {
    const req = /round_trippers\.go:\d+\] ([A-Z]+) (\S+)/.exec(block);
    const response = block.split("Response Headers:")[1] ?? "";
    const type = /Content-Type: (\S+)$/m.exec(response);
    if (req && type && type[1].startsWith("application/vnd.kubernetes.protobuf")) out.push(`${req[1]} ${req[2]} ${type[1]}`);
  }
  return out;
}

/** deepEqual with a readable failure: the two as sorted, indented JSON, line against line. */
function sameJson(actual: Json, expected: Json, what: string): void {
  const sorted = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sorted) : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, sorted(x)])) : v;
  const a = JSON.stringify(sorted(actual), null, 1).split("\n");
  const e = JSON.stringify(sorted(expected), null, 1).split("\n");
  const first = a.findIndex((line, i) => line !== e[i]);
  assert.ok(first < 0 && a.length === e.length, `${what} differs at line ${first}:\n got: ${a.slice(Math.max(0, first - 5), first + 5).join("\n")}\nwant: ${e.slice(Math.max(0, first - 5), first + 5).join("\n")}`);
}

describe("kubectl's protobuf bodies keep every field", { skip }, () => {
  let dir: string;
  let t: TestServer;
  let kubeconfig: string;
  let caPem: string;

  function kubectl(args: string[]): Promise<Run> {
    return new Promise((resolve, reject) => {
      const child = spawn("kubectl", ["--kubeconfig", kubeconfig, "--cache-dir", join(dir, "cache"), ...args], { env: { PATH: process.env.PATH, HOME: dir } });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
      child.on("error", reject);
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
  }

  async function ok(args: string[]): Promise<Run> {
    const r = await kubectl(args);
    assert.equal(r.code, 0, `kubectl ${args.join(" ")} failed: ${r.stderr.slice(-3000)}`);
    return r;
  }

  /** Runs kubectl at -v=7 and checks its create went as protobuf (the POST's Content-Type). */
  async function sentAsProtobuf(args: string[], path: RegExp): Promise<void> {
    const r = await ok(["-v=7", ...args]);
    const writes = protobufWrites(r.stderr);
    assert.ok(writes.some((url) => path.test(url)), `kubectl ${args.join(" ")} sent no protobuf write to ${path}:\n${r.stderr.slice(-3000)}`);
  }

  async function getJson(kind: string, name: string): Promise<Json> {
    return JSON.parse((await ok(["get", kind, name, "-o", "json"])).stdout) as Json;
  }

  function apply(obj: Json, file: string): Promise<Run> {
    writeFileSync(join(dir, file), JSON.stringify(obj));
    return ok(["create", "-f", join(dir, file)]);
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "nodelet-protobuf-"));
    const cert = await ensureServingCert({ dir: join(dir, "pki") });
    caPem = cert.cert;
    t = await startTestServer({ tcp: { host: "127.0.0.1", port: 0, token: "pb-token", ...cert } });
    kubeconfig = join(dir, "kubeconfig");
    await writeKubeconfig(kubeconfig, { server: `https://127.0.0.1:${t.server.tcpAddress()!.port}`, caCert: cert.cert, token: "pb-token" });
  });
  after(async () => {
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("debug --copy-to: the copy has the original's whole spec", async () => {
    const meta = { name: "web", labels: { app: "web", tier: "a" }, annotations: { note: "kept" } };
    await apply({ apiVersion: "v1", kind: "Pod", metadata: meta, spec: { ...everyFieldPodSpec(), nodeName: "node1" } }, "pod.json");
    await sentAsProtobuf(
      ["debug", "web", "--copy-to=web-copy", "--image=busybox", "--container=debugger", "--same-node", "--keep-labels", "--keep-annotations", "--keep-liveness", "--keep-readiness", "--keep-startup", "--share-processes=false"],
      /\/api\/v1\/namespaces\/default\/pods/,
    );
    const orig = await getJson("pod", "web");
    const copy = await getJson("pod", "web-copy");
    const spec = copy.spec as Json;
    const containers = spec.containers as Json[];
    assert.deepEqual(containers.map((c) => c.name), ["main", "debugger"]);
    sameJson({ ...spec, containers: containers.slice(0, 1) }, orig.spec as Json, "the copy's spec");
    // kubectl 1.32 copies the annotations (--keep-annotations) but sends no labels even with --keep-labels (seen).
    assert.deepEqual((copy.metadata as Json).annotations, meta.annotations);
  });

  it("create job --from=cronjob: the Job has the CronJob's whole template and an owner reference", async () => {
    const template = { metadata: { labels: { app: "batch" }, annotations: { a: "b" } }, spec: { ...everyFieldPodSpec(), restartPolicy: "OnFailure" } };
    const jobSpec = { parallelism: 2, completions: 4, backoffLimit: 0, activeDeadlineSeconds: 900, ttlSecondsAfterFinished: 60, completionMode: "Indexed", template };
    await apply({ apiVersion: "batch/v1", kind: "CronJob", metadata: { name: "cj" }, spec: { schedule: "*/5 * * * *", suspend: true, jobTemplate: { metadata: { labels: { from: "cj" } }, spec: jobSpec } } }, "cj.json");
    await sentAsProtobuf(["create", "job", "manual", "--from=cronjob/cj"], /\/apis\/batch\/v1\/namespaces\/default\/jobs\?/);
    const cj = await getJson("cronjob", "cj");
    const job = await getJson("job", "manual");
    const want = ((cj.spec as Json).jobTemplate as Json).spec as Json;
    const got = job.spec as Json;
    sameJson((got.template as Json).spec as Json, (want.template as Json).spec as Json, "the Job's pod spec");
    for (const k of ["parallelism", "completions", "backoffLimit", "activeDeadlineSeconds", "ttlSecondsAfterFinished", "completionMode"]) assert.deepEqual(got[k], want[k], k);
    const meta = job.metadata as Json;
    const owner = (meta.ownerReferences as Json[])[0];
    assert.deepEqual(owner, { apiVersion: "batch/v1", kind: "CronJob", name: "cj", uid: (cj.metadata as Json).uid, controller: true });
    assert.deepEqual((meta.annotations as Json)["cronjob.kubernetes.io/instantiate"], "manual");
    assert.deepEqual(meta.labels, { from: "cj" });
  });

  it("create deployment: replicas 0, port and command arrive; set resources and env then add to them", async () => {
    await sentAsProtobuf(["create", "deployment", "d", "--image=busybox", "--replicas=0", "--port=8080", "--", "sh", "-c", "sleep 1d"], /\/apis\/apps\/v1\/namespaces\/default\/deployments\?/);
    await ok(["set", "resources", "deployment/d", "--limits=cpu=200m,memory=64Mi", "--requests=cpu=100m"]);
    await ok(["set", "env", "deployment/d", "MODE=fast"]);
    const d = await getJson("deployment", "d");
    const spec = d.spec as Json;
    assert.equal(spec.replicas, 0);
    const c = (((spec.template as Json).spec as Json).containers as Json[])[0];
    assert.deepEqual([c.name, c.image, c.command, c.ports], ["busybox", "busybox", ["sh", "-c", "sleep 1d"], [{ containerPort: 8080, protocol: "TCP" }]]);
    // requests.memory defaults from the limit, as Kubernetes does.
    assert.deepEqual(c.resources, { limits: { cpu: "200m", memory: "64Mi" }, requests: { cpu: "100m", memory: "64Mi" } });
    assert.deepEqual(c.env, [{ name: "MODE", value: "fast" }]);
  });

  it("describe reads an object and lists answered as protobuf", async () => {
    await ok(["create", "deployment", "shown", "--image=busybox", "--replicas=3", "--port=8080"]);
    const r = await ok(["-v=8", "describe", "deployment", "shown"]);
    assert.match(r.stdout, /Replicas:\s+3 desired/);
    assert.match(r.stdout, /Port:\s+8080\/TCP/);
    const reads = protobufReads(r.stderr);
    assert.ok(reads.some((x) => /^GET \S+\/deployments\/shown application\/vnd\.kubernetes\.protobuf$/.test(x)), reads.join("\n"));
    assert.ok(reads.some((x) => /^GET \S+\/replicasets\?labelSelector=app%3Dshown/.test(x)), reads.join("\n"));
  });

  it("errors as protobuf Status: kubectl prints the reason and the field causes", async () => {
    const r = await kubectl(["-v=8", "create", "cronjob", "bad", "--image=busybox", "--schedule=every day"]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /CronJob "bad" is invalid: spec\.schedule: Invalid value: "every day"/);
    assert.ok(protobufReads(r.stderr).some((x) => /^POST \S+\/cronjobs/.test(x)));
  });

  it("drain: lists the node's pods, evicts, and waits for the 404 as protobuf", async () => {
    writeFileSync(join(dir, "node.json"), JSON.stringify({ apiVersion: "v1", kind: "Node", metadata: { name: "node2" } }));
    await ok(["create", "-f", join(dir, "node.json")]);
    const pod = testPod("drained");
    pod.spec.nodeName = "node2";
    storePod(t.store, pod);
    const r = await ok(["-v=8", "drain", "node2", "--force", "--grace-period=0", "--timeout=30s"]);
    assert.match(r.stdout, /pod\/drained evicted/);
    const reads = protobufReads(r.stderr);
    assert.ok(reads.some((x) => /^GET \S+\/api\/v1\/pods\?fieldSelector=spec\.nodeName%3Dnode2/.test(x)), reads.join("\n"));
    assert.ok(reads.some((x) => /^GET \S+\/pods\/drained /.test(x)), reads.join("\n"));
  });

  it("a watch as protobuf frames: logs on a Deployment waits for its first pod", async () => {
    await ok(["create", "deployment", "late", "--image=busybox", "--replicas=0"]);
    const watchers = t.store.watcherCount;
    const running = kubectl(["-v=8", "logs", "deployment/late", "--pod-running-timeout=60s"]);
    // The pod appears only once kubectl watches (its first list found none).
    await waitFor("kubectl to watch for the pod", () => t.store.watcherCount > watchers, 30_000);
    storePod(t.store, testPod("late-pod", { labels: { app: "late" }, phase: "Running" }));
    const r = await running;
    assert.equal(r.code, 0, r.stderr.slice(-3000));
    const reads = protobufReads(r.stderr);
    assert.ok(reads.some((x) => /^GET \S+\/pods\?labelSelector=app%3Dlate&resourceVersion=\d+&watch=true application\/vnd\.kubernetes\.protobuf;stream=watch$/.test(x)), reads.join("\n"));
    assert.match(r.stderr, /GET \S+\/pods\/late-pod\/log/);
  });

  it("a plain HTTPS client reads the protobuf envelope at upstream's field numbers", async () => {
    const body = await new Promise<Buffer>((resolve, reject) => {
      const port = t.server.tcpAddress()!.port;
      const req = request({ host: "127.0.0.1", port, path: "/apis/apps/v1/namespaces/default/deployments/shown", ca: caPem, headers: { Authorization: "Bearer pb-token", Accept: "application/vnd.kubernetes.protobuf" } }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => (res.headers["content-type"] === "application/vnd.kubernetes.protobuf" ? resolve(Buffer.concat(chunks)) : reject(new Error(`content type ${res.headers["content-type"]}`))));
      });
      req.on("error", reject);
      req.end();
    });
    const env = readEnvelope(body);
    assert.deepEqual([env.apiVersion, env.kind], ["apps/v1", "Deployment"]);
    // Deployment {metadata 1 {name 1}, spec 2 {replicas 1, template 3 {spec 2 {containers 2 {name 1, ports 6 {containerPort 3}}}}}}.
    assert.equal(textAt(messageAt(env.raw, 1), 1), "shown");
    const spec = messageAt(env.raw, 2);
    assert.equal(intAt(spec, 1), 3);
    const container = messagesAt(messageAt(messageAt(spec, 3), 2), 2)[0];
    assert.deepEqual([textAt(container, 1), intAt(messagesAt(container, 6)[0], 3)], ["busybox", 8080]);
  });

  it("create cronjob: schedule, restart policy and command arrive", async () => {
    await sentAsProtobuf(["create", "cronjob", "tick", "--image=busybox", "--schedule=*/10 * * * *", "--restart=Never", "--", "date"], /\/apis\/batch\/v1\/namespaces\/default\/cronjobs\?/);
    const cj = await getJson("cronjob", "tick");
    const spec = cj.spec as Json;
    assert.equal(spec.schedule, "*/10 * * * *");
    const pod = (((spec.jobTemplate as Json).spec as Json).template as Json).spec as Json;
    assert.equal(pod.restartPolicy, "Never");
    assert.deepEqual((pod.containers as Json[])[0].command, ["date"]);
  });
});
