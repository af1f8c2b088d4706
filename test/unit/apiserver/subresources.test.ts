import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { ApiError } from "../../../src/api/errors.js";
import { resourceForKind } from "../../../src/api/resources.js";
import type { Pod } from "../../../src/api/types.js";
import { resourcePath } from "../../../src/client/index.js";
import { waitFor } from "../../helpers/wait.js";
import { startTestServer, storePod, testPod, type TestServer } from "./harness.js";

const PODS = resourceForKind("Pod")!;

async function text(stream: NodeJS.ReadableStream): Promise<string> {
  let out = "";
  for await (const chunk of stream) out += chunk.toString();
  return out;
}

async function apiError(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  assert.fail("expected an ApiError");
}

/** Sends a raw upgrade request and returns the status line and body of the reply. */
function upgrade(socketPath: string, method: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const s = connect(socketPath);
    let data = "";
    s.on("data", (d) => (data += d.toString()));
    s.on("error", reject);
    s.on("close", () => {
      const status = Number(/^HTTP\/1\.1 (\d+)/.exec(data)?.[1] ?? 0);
      resolve({ status, body: data.slice(data.indexOf("\r\n\r\n") + 4) });
    });
    const h = { Host: "x", Connection: "Upgrade", Upgrade: "websocket", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Protocol": "v5.channel.k8s.io", ...headers };
    s.write(`${method} ${path} HTTP/1.1\r\n${Object.entries(h).map(([k, v]) => `${k}: ${v}`).join("\r\n")}\r\n\r\n`);
    setTimeout(() => s.destroy(), 1000);
  });
}

describe("API server: logs", () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ fake: { logs: { c: "one\ntwo\nthree\n", a: "from a\n", b: "from b\n" } } });
    storePod(t.store, testPod("web", { phase: "Running" }));
    storePod(t.store, testPod("multi", { phase: "Running", containers: ["a", "b"] }));
  });
  after(() => t.close());

  it("streams the only container's log as text/plain", async () => {
    const res = await t.client.raw("GET", resourcePath(PODS, "default", "web", "log"));
    assert.equal(res.status, 200);
    assert.equal(res.headers["content-type"], "text/plain");
    assert.equal(res.body.toString(), "one\ntwo\nthree\n");
  });

  it("passes the options through", async () => {
    const out = await text(t.client.stream(resourcePath(PODS, "default", "web", "log"), { tailLines: 1, timestamps: true, sinceSeconds: 10, previous: true }));
    assert.equal(out, "three\n");
    assert.deepEqual(t.io.logCalls.at(-1)?.opts, { container: "c", tailLines: 1, timestamps: true, sinceSeconds: 10, previous: true });
  });

  it("needs a container name when there are several", async () => {
    const err = await apiError(text(t.client.stream(resourcePath(PODS, "default", "multi", "log"))));
    assert.equal(err.code, 400);
    assert.equal(err.message, "a container name must be specified for pod multi, choose one of: [a b]");
    assert.equal(await text(t.client.stream(resourcePath(PODS, "default", "multi", "log"), { container: "b" })), "from b\n");
    const bad = await apiError(text(t.client.stream(resourcePath(PODS, "default", "multi", "log"), { container: "z" })));
    assert.equal(bad.message, "container z is not valid for pod multi");
  });

  it("uses the default-container annotation", async () => {
    const p = t.store.get<Pod>("Pod", "default", "multi")!;
    t.store.update({ ...p, metadata: { ...p.metadata, annotations: { "kubectl.kubernetes.io/default-container": "b" } } });
    assert.equal(await text(t.client.stream(resourcePath(PODS, "default", "multi", "log"))), "from b\n");
  });

  it("a missing pod is 404, bad options 400", async () => {
    assert.equal((await apiError(text(t.client.stream(resourcePath(PODS, "default", "nope", "log"))))).code, 404);
    assert.equal((await apiError(text(t.client.stream(resourcePath(PODS, "default", "web", "log"), { tailLines: -1 })))).code, 400);
  });

  it("follows: data arrives as written, and a client leaving stops the stream", async () => {
    const stream = t.client.stream(resourcePath(PODS, "default", "web", "log"), { follow: true });
    let got = "";
    stream.on("data", (d: Buffer) => (got += d.toString()));
    for (let i = 0; i < 100 && !got.includes("three"); i++) await sleep(10);
    t.io.appendLogs("four\n");
    for (let i = 0; i < 100 && !got.includes("four"); i++) await sleep(10);
    assert.equal(got, "one\ntwo\nthree\nfour\n");
    assert.equal(t.io.followers, 1);
    stream.destroy();
    await waitFor("the server to stop following", () => t.io.followers === 0);
  });

  it("follows until the log ends", async () => {
    const stream = t.client.stream(resourcePath(PODS, "default", "web", "log"), { follow: "true" });
    const done = text(stream);
    // Ending before the server follows would leave the stream open for good: wait until it follows.
    await waitFor("the server to follow the log", () => t.io.followers > 0);
    t.io.endLogs();
    assert.equal(await done, "one\ntwo\nthree\n");
  });
});

describe("API server: metrics.k8s.io", () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ fake: { cpuNanos: 1_500_000, memoryKi: 10240 } });
    storePod(t.store, testPod("web", { phase: "Running", containers: ["a", "b"] }));
    storePod(t.store, testPod("pending", { phase: "Pending" }));
  });
  after(() => t.close());

  it("lists metrics of running pods", async () => {
    const list = await t.client.request<{ kind: string; items: { metadata: { name: string }; containers: unknown[] }[] }>(
      "GET",
      "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods",
    );
    assert.equal(list.kind, "PodMetricsList");
    assert.deepEqual(list.items.map((i) => i.metadata.name), ["web"]);
    assert.equal(list.items[0].containers.length, 2);
  });

  it("gets one pod's metrics, 404 for a pod without", async () => {
    const m = await t.client.request<{ kind: string }>("GET", "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/web");
    assert.equal(m.kind, "PodMetrics");
    const err = await apiError(t.client.request("GET", "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/pending"));
    assert.equal(err.message, 'podmetrics.metrics.k8s.io "pending" not found');
  });

  it("reports the node as the sum of its pods", async () => {
    const list = await t.client.request<{ items: { metadata: { name: string }; usage: { cpu: string; memory: string } }[] }>(
      "GET",
      "/apis/metrics.k8s.io/v1beta1/nodes",
    );
    assert.equal(list.items[0].metadata.name, "node1");
    assert.deepEqual(list.items[0].usage, { cpu: "3000000n", memory: "20480Ki" });
    assert.equal((await apiError(t.client.request("GET", "/apis/metrics.k8s.io/v1beta1/nodes/other"))).code, 404);
  });
});

describe("API server: exec, attach, port-forward checks", () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
    storePod(t.store, testPod("web", { phase: "Running" }));
    storePod(t.store, testPod("done", { phase: "Succeeded" }));
    storePod(t.store, testPod("failed", { phase: "Failed" }));
    storePod(t.store, testPod("pending", { phase: "Pending" }));
    storePod(t.store, testPod("multi", { phase: "Running", containers: ["a", "b"] }));
  });
  after(() => t.close());

  it("a plain request (no upgrade) is a 400", async () => {
    const err = await apiError(t.client.request("GET", resourcePath(PODS, "default", "web", "exec"), { query: { command: ["ls"] } }));
    assert.equal(err.code, 400);
    assert.equal(err.message, "Upgrade request required");
  });

  it("refuses exec/attach into finished pods", async () => {
    const r = await upgrade(t.socketPath, "GET", "/api/v1/namespaces/default/pods/done/exec?command=ls&stdout=true");
    assert.equal(r.status, 400);
    assert.equal((JSON.parse(r.body) as { message: string }).message, "cannot exec into a container in a completed pod; current phase is Succeeded");
    const a = await upgrade(t.socketPath, "POST", "/api/v1/namespaces/default/pods/failed/attach?stdout=true", { Upgrade: "SPDY/3.1" });
    assert.equal(a.status, 400);
    assert.match((JSON.parse(a.body) as { message: string }).message, /completed pod; current phase is Failed/);
  });

  it("port-forward needs a running pod", async () => {
    const r = await upgrade(t.socketPath, "GET", "/api/v1/namespaces/default/pods/pending/portforward");
    assert.equal(r.status, 400);
    assert.match((JSON.parse(r.body) as { message: string }).message, /not running/);
  });

  it("a missing pod is 404, a non-stream path 404, several containers need a name", async () => {
    assert.equal((await upgrade(t.socketPath, "GET", "/api/v1/namespaces/default/pods/nope/exec?command=ls")).status, 404);
    assert.equal((await upgrade(t.socketPath, "GET", "/api/v1/namespaces/default/pods/web/log")).status, 404);
    const multi = await upgrade(t.socketPath, "GET", "/api/v1/namespaces/default/pods/multi/exec?command=ls");
    assert.equal(multi.status, 400);
    assert.match((JSON.parse(multi.body) as { message: string }).message, /a container name must be specified for pod multi/);
  });

  it("a valid request is handed to the streaming layer", async () => {
    const r = await upgrade(t.socketPath, "GET", "/api/v1/namespaces/default/pods/web/exec?command=ls&stdout=true");
    assert.ok(r.status === 101 || r.status === 501, `got ${r.status}: the router passed it on`);
  });
});
