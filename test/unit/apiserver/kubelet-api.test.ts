/**
 * The kubelet server and the control plane's kubelet client, in-process over real TLS with certificates from a
 * test CA: the client's logs (followed), exec with stdin and exit codes, attach, port-forward (a half-close carried)
 * and the summary's pod and node metrics reach the node's PodIO (host processes and 127.0.0.1 servers standing in for
 * pods); a caller without a CA-verified certificate gets 401, one with another name 403 in the kubelet's wording; a
 * kubelet whose serving certificate is not from the cluster CA is refused by the client; a pod not on the node is
 * 404 and a Node without addresses says so.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { createServer as createNetServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, type Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { ApiError } from "../../../src/api/errors.js";
import type { LogOptions } from "../../../src/api/pod-io.js";
import type { Node, Pod, PodMetrics } from "../../../src/api/types.js";
import { KubeletPodIO } from "../../../src/client/kubelet/kubelet-pod-io.js";
import { kubeletEndpoint } from "../../../src/client/kubelet/kubelet-address.js";
import { ensureCA, issueCert, type CertPair } from "../../../src/auth/pki.js";
import { APISERVER_KUBELET_CLIENT, KubeletServer } from "../../../src/apiserver/kubelet-api/server.js";
import { openStore } from "../../../src/store/sqlite-store.js";
import type { Store } from "../../../src/store/store.js";
import { HostRunner } from "../../../src/sys/runner.js";
import { needsCommand, skipUnless } from "../../helpers/root.js";
import { FakePodIO, runningPod } from "../../helpers/stream-harness.js";

const skip = skipUnless(needsCommand("openssl"));
const NODE = "kn1";

/** FakePodIO with logs (a stream the test writes) and metrics. */
class TestPodIO extends FakePodIO {
  readonly log = new PassThrough();
  lastLog?: LogOptions;
  override logs(_pod: Pod, opts: LogOptions): Promise<Readable> {
    this.lastLog = opts;
    return Promise.resolve(this.log);
  }
  override metrics(pod: Pod): Promise<PodMetrics> {
    return Promise.resolve({ apiVersion: "metrics.k8s.io/v1beta1", kind: "PodMetrics", metadata: { name: pod.metadata.name, namespace: "default" }, timestamp: "2026-12-07T21:00:00Z", window: "10s", containers: [{ name: "main", usage: { cpu: "1500000n", memory: "2048Ki" } }] });
  }
}

function read(r: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    let s = "";
    r.on("data", (d: Buffer) => (s += d.toString()));
    r.on("end", () => resolve(s));
    r.on("error", reject);
  });
}

function until(r: Readable, text: string): Promise<string> {
  return new Promise((resolve) => {
    let s = "";
    const on = (d: Buffer) => {
      s += d.toString();
      if (s.includes(text)) {
        r.off("data", on);
        resolve(s);
      }
    };
    r.on("data", on);
  });
}

describe("kubelet server and the API server's kubelet client", { skip }, () => {
  let dir = "";
  let store: Store;
  let server: KubeletServer;
  let io: TestPodIO;
  let client: KubeletPodIO;
  let pki: { ca: CertPair; serving: CertPair; apiserver: CertPair; other: CertPair; foreignServing: CertPair };
  let backend: Server;
  const pod: Pod = { ...runningPod("web", ["main", "stopped"]), spec: { ...runningPod().spec, nodeName: NODE, containers: [{ name: "main", image: "busybox" }, { name: "stopped", image: "busybox" }] } };

  const nodeAt = (port: number): Node => ({
    apiVersion: "v1",
    kind: "Node",
    metadata: { name: NODE },
    status: { addresses: [{ type: "Hostname", address: "kn1.invalid" }, { type: "InternalIP", address: "127.0.0.1" }], daemonEndpoints: { kubeletEndpoint: { Port: port } } },
  });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "nodelet-kubelet-server-"));
    const runner = new HostRunner();
    const ca = await ensureCA(join(dir, "ca"), runner);
    const serving = await issueCert(runner, { dir: join(dir, "ca"), name: "serving", commonName: `system:node:${NODE}`, organizations: ["system:nodes"], usage: { server: ["127.0.0.1"] } });
    const apiserver = await issueCert(runner, { dir: join(dir, "ca"), name: "apiserver-kubelet-client", commonName: APISERVER_KUBELET_CLIENT, usage: "client" });
    const other = await issueCert(runner, { dir: join(dir, "ca"), name: "other", commonName: "jane", usage: "client" });
    await ensureCA(join(dir, "ca2"), runner);
    const foreignServing = await issueCert(runner, { dir: join(dir, "ca2"), name: "serving", commonName: "x", usage: { server: ["127.0.0.1"] } });
    pki = { ca, serving, apiserver, other, foreignServing };
    backend = createNetServer({ allowHalfOpen: true }, (s) => {
      let n = 0;
      s.on("data", (d: Buffer) => (n += d.length));
      s.on("end", () => s.end(`got ${n}`));
      s.on("error", () => s.destroy());
    });
    await new Promise<void>((r) => backend.listen(0, "127.0.0.1", r));
    io = new TestPodIO({ 7: (backend.address() as { port: number }).port });
    const nodeUsage = () => Promise.resolve({ cpuNanoCores: 250_000_000, memoryBytes: 512 << 20, time: "2026-12-07T21:00:00Z", window: "10s" });
    server = new KubeletServer({ host: "127.0.0.1", port: 0, cert: serving.cert, key: serving.key, clientCA: ca.cert, nodeName: NODE, pod: (ns, name) => (ns === "default" && name === "web" ? pod : undefined), pods: () => [pod], io, nodeUsage });
    await server.start();
    store = openStore(join(dir, "store.db"));
    store.create(nodeAt(server.address().port));
    client = new KubeletPodIO({ node: (n) => store.get<Node>("Node", "", n), ca: ca.cert, cert: apiserver.cert, key: apiserver.key });
  });

  after(async () => {
    await server?.close();
    backend?.close();
    store?.close();
    for (const c of io?.children ?? []) c.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });

  it("dials the Node's InternalIP first and its published port", () => {
    assert.deepEqual(kubeletEndpoint(nodeAt(1234)), { nodeName: NODE, host: "127.0.0.1", port: 1234 });
    assert.deepEqual(kubeletEndpoint({ ...nodeAt(0), status: { addresses: [{ type: "Hostname", address: "h" }] } }), { nodeName: NODE, host: "h", port: 10250 });
    assert.throws(() => kubeletEndpoint({ ...nodeAt(0), status: { addresses: [] } }), /no preferred addresses found; known addresses: \[\]/);
  });

  it("streams a followed log as it is written, with the options passed on", async () => {
    const stream = await client.logs(pod, { container: "main", follow: true, tailLines: 5, timestamps: true });
    assert.deepEqual(io.lastLog, { container: "main", follow: true, tailLines: 5, timestamps: true });
    io.log.write("line 1\n");
    assert.equal(await until(stream, "line 1\n"), "line 1\n");
    io.log.write("line 2\n");
    const rest = read(stream);
    io.log.end("line 3\n");
    assert.equal(await rest, "line 2\nline 3\n");
  });

  it("runs exec with stdin to its end and returns the exit code; attach too", async () => {
    const cat = await client.exec(pod, { container: "main", command: ["cat"], stdin: true, stdout: true, stderr: true, tty: false });
    const out = read(cat.stdout!);
    cat.stdin!.end("hello through the kubelet\n");
    assert.equal(await cat.exit, 0);
    assert.equal(await out, "hello through the kubelet\n");
    const fail = await client.exec(pod, { container: "main", command: ["sh", "-c", "echo e >&2; exit 3"], stdin: false, stdout: true, stderr: true, tty: false });
    const err = read(fail.stderr!);
    fail.stdout!.resume();
    assert.equal(await fail.exit, 3);
    assert.equal(await err, "e\n");
    const attached = await client.attach(pod, { container: "main", stdin: true, stdout: true, stderr: false, tty: false });
    const aout = read(attached.stdout!);
    attached.stdin!.end("attached\n");
    assert.equal(await attached.exit, 0);
    assert.equal(await aout, "attached\n");
  });

  it("reports the node's refusal with its message (a container that is not running)", async () => {
    const s = await client.exec(pod, { container: "stopped", command: ["true"], stdin: false, stdout: true, stderr: false, tty: false });
    s.stdout!.resume();
    await assert.rejects(s.exit, (e: unknown) => e instanceof ApiError && /not running/.test(e.message));
  });

  it("forwards a port as a plain TLS stream that carries a half-close", async () => {
    const s = await client.portForward(pod, 7);
    const answer = read(s);
    s.resume(); // handed over paused at the 101, as a pipe() would resume it
    s.end(Buffer.alloc(100_000, 1));
    assert.equal(await answer, "got 100000");
  });

  it("reads pod metrics from the summary", async () => {
    const m = await client.metrics(pod);
    assert.deepEqual(m.containers, [{ name: "main", usage: { cpu: "1500000n", memory: "2048Ki" } }]);
    assert.equal(m.window, "10s");
  });

  it("reads the node's metrics from the summary (kubectl top node through a control plane)", async () => {
    const node = store.get<Node>("Node", "", NODE)!;
    const m = await client.nodeMetrics(node);
    assert.deepEqual([m.kind, m.metadata.name, m.timestamp, m.window, m.usage], ["NodeMetrics", NODE, "2026-12-07T21:00:00Z", "10s", { cpu: "250000000n", memory: "524288Ki" }]);
  });

  it("404s a pod the node does not run", async () => {
    const other = { ...pod, metadata: { ...pod.metadata, name: "elsewhere", uid: "u2" } };
    await assert.rejects(client.logs(other, { container: "main" }), (e: unknown) => e instanceof ApiError && e.code === 404 && e.message === 'pods "elsewhere" not found');
  });

  it("refuses callers without a CA-verified certificate (401) and other users (403)", async () => {
    const get = (opts: { cert?: string; key?: string }) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpsRequest({ host: "127.0.0.1", port: server.address().port, path: "/stats/summary", ca: pki.ca.cert, agent: false, ...opts }, (res) => {
          let body = "";
          res.on("data", (d: Buffer) => (body += d.toString()));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on("error", reject);
        req.end();
      });
    assert.equal((await get({})).status, 401);
    const forbidden = await get({ cert: pki.other.cert, key: pki.other.key });
    assert.equal(forbidden.status, 403);
    assert.match(forbidden.body, /Forbidden \(user=jane, verb=get, resource=nodes, subresource\(s\)=\[proxy\]\)/);
    assert.equal((await get({ cert: pki.apiserver.cert, key: pki.apiserver.key })).status, 200);
  });

  it("refuses a kubelet whose serving certificate the cluster CA did not sign", async () => {
    const impostor = new KubeletServer({ host: "127.0.0.1", port: 0, cert: pki.foreignServing.cert, key: pki.foreignServing.key, clientCA: pki.ca.cert, nodeName: NODE, pod: () => pod, pods: () => [pod], io });
    await impostor.start();
    const s2 = openStore(join(dir, "store2.db"));
    try {
      s2.create(nodeAt(impostor.address().port));
      const c2 = new KubeletPodIO({ node: (n) => s2.get<Node>("Node", "", n), ca: pki.ca.cert, cert: pki.apiserver.cert, key: pki.apiserver.key });
      await assert.rejects(c2.logs(pod, { container: "main" }), (e: unknown) => e instanceof ApiError && e.code === 500 && /self[- ]signed|unable to verify|certificate/i.test(e.message));
    } finally {
      s2.close();
      await impostor.close();
    }
  });

  it("says which pod has no node yet", async () => {
    const unbound = { ...pod, spec: { ...pod.spec, nodeName: undefined } };
    await assert.rejects(client.logs(unbound, { container: "main" }), /pod web does not have a host assigned/);
  });
});
