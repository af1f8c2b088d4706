/**
 * Real kubectl (v1.32) sending protobuf bodies, against one in-process API server (HTTPS, bearer token) shared by
 * every case: the objects it encodes with Go's own protobuf code must arrive with every field. `-v=7` shows each
 * request's Content-Type, so every case first proves the body went as application/vnd.kubernetes.protobuf.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ensureServingCert, writeKubeconfig } from "../../src/apiserver/index.js";
import { everyFieldPodSpec, type Json } from "../helpers/pod-every-field.js";
import { needsCommand, skipUnless } from "../helpers/root.js";
import { startTestServer, type TestServer } from "../unit/apiserver/harness.js";

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
