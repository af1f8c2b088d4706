/**
 * /metrics and /metrics/cadvisor: the registry and its text format (checked by a strict parser, which is itself
 * shown to refuse malformed documents), the API server's request metrics as upstream labels them, the kubelet's
 * gauges and pod start histogram over a fake runtime and a fake clock, and RBAC's system:monitoring role.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { requestAttributes } from "../../../src/auth/attributes.js";
import { RbacAuthorizer } from "../../../src/auth/rbac/authorizer.js";
import { ensureBootstrapPolicy } from "../../../src/auth/rbac/bootstrap.js";
import { PolicyIndex } from "../../../src/auth/rbac/policy-index.js";
import { requestLabels } from "../../../src/apiserver/request-metrics.js";
import { PodStartTracker, registerCadvisorMetrics, registerKubeletMetrics, type MetricsRuntime } from "../../../src/kubelet/kubelet-metrics.js";
import { Registry, TEXT_FORMAT } from "../../../src/metrics/registry.js";
import type { ContainerRecord, SandboxRecord } from "../../../src/runtime/pod-runtime.js";
import { openStore } from "../../../src/store/sqlite-store.js";
import { parsePromText, samplesOf } from "../../helpers/prom-text.js";
import { startTestServer, testPod, type TestServer } from "../apiserver/harness.js";

describe("metrics registry and text format", () => {
  it("renders counters with escaped labels and help, and cumulative histograms the parser accepts", async () => {
    const r = new Registry();
    const c = r.counter({ name: "demo_total", help: 'a "help" with \\ and\nnewline', labelNames: ["path"] });
    c.inc({ path: 'a"b\\c\nd' });
    c.inc({ path: 'a"b\\c\nd' }, 2);
    c.inc({ path: "" });
    const h = r.histogram({ name: "demo_seconds", help: "h", labelNames: ["verb"] }, [0.1, 1]);
    h.observe({ verb: "GET" }, 0.05);
    h.observe({ verb: "GET" }, 0.5);
    h.observe({ verb: "GET" }, 5);
    const text = await r.render();
    assert.match(text, /^demo_seconds_bucket\{verb="GET",le="0.1"\} 1$/m);
    assert.match(text, /^demo_seconds_bucket\{verb="GET",le="1"\} 2$/m);
    assert.match(text, /^demo_seconds_bucket\{verb="GET",le="\+Inf"\} 3$/m);
    const parsed = parsePromText(text);
    assert.equal(parsed.get("demo_total")?.help, 'a "help" with \\ and\nnewline');
    assert.deepEqual(samplesOf(parsed, "demo_total", { path: 'a"b\\c\nd' }).map((s) => s.value), [3]);
    assert.deepEqual(samplesOf(parsed, "demo_total").map((s) => s.value), [3, 1]);
    assert.equal(samplesOf(parsed, "demo_seconds_sum")[0].value, 5.55);
    assert.equal(samplesOf(parsed, "demo_seconds_count")[0].value, 3);
    assert.equal(TEXT_FORMAT, "text/plain; version=0.0.4; charset=utf-8");
  });

  it("refuses bad names, reserved labels, falling buckets, negative increments and a family exposed twice", async () => {
    const r = new Registry();
    assert.throws(() => r.counter({ name: "1bad", help: "", labelNames: [] }), /not a valid Prometheus metric name/);
    assert.throws(() => r.histogram({ name: "h", help: "", labelNames: ["le"] }, [1]), /reserved/);
    assert.throws(() => r.histogram({ name: "h2", help: "", labelNames: [] }, [2, 1]), /must increase/);
    const c = r.counter({ name: "ok_total", help: "", labelNames: [] });
    assert.throws(() => c.inc({}, -1), /cannot increase/);
    assert.throws(() => r.counter({ name: "ok_total", help: "", labelNames: [] }), /twice/);
    r.collect(() => [{ name: "ok_total", help: "", type: "gauge", samples: [] }]);
    await assert.rejects(r.render(), /exposed twice/);
  });

  it("a failing collector is left out of the scrape and reported", async () => {
    const r = new Registry();
    r.collect(() => {
      throw new Error("cgroup gone");
    });
    r.counter({ name: "still_total", help: "", labelNames: [] }).inc();
    const errors: unknown[] = [];
    const parsed = parsePromText(await r.render((e) => errors.push(e)));
    assert.equal(samplesOf(parsed, "still_total")[0].value, 1);
    assert.equal(errors.length, 1);
  });

  it("the parser refuses what Prometheus would refuse", () => {
    const bad: [string, RegExp][] = [
      ["x 1", /not in the family/],
      ["# TYPE x counter\nx{a=\"\\t\"} 1\n", /bad escape/],
      ["# TYPE x counter\nx one\n", /not a float/],
      ["# TYPE x counter\nx 1\n# TYPE y gauge\ny 1\n# TYPE x counter\n", /twice/],
      ["# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n", /cumulative/],
      ["# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n", /\+Inf/],
      ["# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 1\n", /!= count/],
      ["# TYPE x counter\nx{a=\"1\",a=\"2\"} 1\n", /repeated/],
    ];
    for (const [doc, err] of bad) assert.throws(() => parsePromText(doc.endsWith("\n") ? doc : `${doc}\n`), err, doc);
  });
});

describe("apiserver request labels", () => {
  const cases: [string, string, Record<string, string>, Record<string, string>][] = [
    ["GET", "/api/v1/namespaces/default/pods?limit=500", {}, { verb: "LIST", resource: "pods", scope: "namespace", group: "", version: "v1" }],
    ["GET", "/api/v1/pods", {}, { verb: "LIST", scope: "cluster" }],
    ["GET", "/api/v1/namespaces/default/pods?watch=true", {}, { verb: "WATCH", scope: "namespace" }],
    ["GET", "/api/v1/namespaces/default/pods/web", {}, { verb: "GET", scope: "resource" }],
    ["POST", "/api/v1/namespaces/default/pods?dryRun=All", {}, { verb: "POST", scope: "resource", dry_run: "All" }],
    ["PUT", "/api/v1/namespaces/default/pods/web/status", {}, { verb: "PUT", subresource: "status" }],
    ["PATCH", "/apis/apps/v1/namespaces/d/deployments/web", { "content-type": "application/apply-patch+yaml" }, { verb: "APPLY", group: "apps", resource: "deployments" }],
    ["PATCH", "/api/v1/nodes/n1", { "content-type": "application/merge-patch+json" }, { verb: "PATCH", scope: "resource" }],
    ["DELETE", "/api/v1/namespaces/default/pods", {}, { verb: "DELETECOLLECTION" }],
    ["GET", "/api/v1/namespaces/default/pods/web/exec?command=ls", {}, { verb: "CONNECT", subresource: "exec" }],
    ["GET", "/version", {}, { verb: "GET", resource: "", scope: "" }],
    // Paths that name no served resource add no series of their own (a client cannot mint them without bound).
    ["GET", "/api/v1/namespaces/default/made-up-123", {}, { verb: "LIST", resource: "", group: "", version: "", scope: "" }],
    ["GET", "/apis/nodelet.io/v1/images", {}, { verb: "LIST", resource: "", group: "", version: "" }],
    ["GET", "/api/v1/namespaces/default/pods/web/bogus", {}, { verb: "GET", resource: "", subresource: "" }],
  ];
  for (const [method, url, headers, want] of cases) {
    it(`${method} ${url}`, () => {
      const got = requestLabels({ method, url, headers });
      for (const [k, v] of Object.entries(want)) assert.equal(got[k], v, k);
      assert.equal(got.component, "apiserver");
    });
  }
});

describe("/metrics on the API server", () => {
  let t: TestServer;
  const registry = new Registry();
  before(async () => {
    t = await startTestServer({ metrics: registry });
  });
  after(() => t.close());

  it("counts requests by verb, resource, scope and code, with their latency", async () => {
    await t.client.raw("POST", "/api/v1/namespaces/default/pods", { body: testPod("web") });
    await t.client.raw("POST", "/api/v1/namespaces/default/pods", { query: { dryRun: "All" }, body: testPod("dry") });
    await t.client.raw("GET", "/api/v1/namespaces/default/pods");
    assert.equal((await t.client.raw("GET", "/api/v1/namespaces/default/pods/missing")).status, 404);
    const res = await t.client.raw("GET", "/metrics");
    assert.equal(res.status, 200);
    assert.equal(res.headers["content-type"], TEXT_FORMAT);
    const m = parsePromText(res.body.toString());
    const base = { component: "apiserver", resource: "pods", version: "v1" };
    const posts = samplesOf(m, "apiserver_request_total", { ...base, verb: "POST", code: "201", scope: "resource" });
    assert.deepEqual(posts.map((s) => [s.labels.dry_run, s.value]), [[undefined, 1], ["All", 1]]);
    assert.equal(samplesOf(m, "apiserver_request_total", { ...base, verb: "LIST", code: "200", scope: "namespace" })[0]?.value, 1);
    assert.equal(samplesOf(m, "apiserver_request_total", { ...base, verb: "GET", code: "404" })[0]?.value, 1);
    assert.equal(samplesOf(m, "apiserver_request_duration_seconds_count", { ...base, verb: "LIST" })[0]?.value, 1);
    assert.equal(m.get("apiserver_request_duration_seconds")?.type, "histogram");
    assert.ok(samplesOf(m, "apiserver_request_duration_seconds_bucket", { verb: "LIST", le: "0.005" }).length === 1);
  });

  it("/metrics/cadvisor is 404 without a cadvisor registry", async () => {
    assert.equal((await t.client.raw("GET", "/metrics/cadvisor")).status, 404);
    assert.equal((await t.client.raw("GET", "/metrics/other")).status, 404);
  });
});

describe("system:monitoring", () => {
  it("may get /metrics and /metrics/cadvisor; an ordinary user may not", () => {
    const store = openStore(":memory:");
    ensureBootstrapPolicy(store);
    const index = new PolicyIndex().follow(store);
    try {
      const authz = new RbacAuthorizer(index);
      const monitor = { name: "prom", groups: ["system:monitoring", "system:authenticated"] };
      const jane = { name: "jane", groups: ["system:authenticated"] };
      for (const path of ["/metrics", "/metrics/cadvisor"]) {
        assert.equal(authz.authorize(requestAttributes(monitor, "GET", path)).allowed, true, path);
        assert.equal(authz.authorize(requestAttributes(jane, "GET", path)).allowed, false, path);
      }
      assert.equal(authz.authorize(requestAttributes(monitor, "GET", "/api/v1/pods")).allowed, false);
    } finally {
      index.stop();
      store.close();
    }
  });
});

function sandbox(uid: string, name: string, state: "ready" | "notready"): SandboxRecord {
  return { podUid: uid, namespace: "team", name, pid: 1, createdAt: "", hostname: name, cgroupPath: `pods/${uid}`, hostNetwork: false, sharePid: false, hostIPC: false, ips: [], state };
}

function container(uid: string, name: string, state: ContainerRecord["state"]): ContainerRecord {
  return {
    id: `${uid}-${name}`, podUid: uid, name, attempt: 0, init: false, image: "busybox:1.36", imageId: "sha256:x", specHash: "", createdAt: "", state,
    logPath: "", cgroupPath: `pods/${uid}/${name}`, process: { uid: 0, gid: 0, groups: [], env: [], cwd: "/", capabilities: [] } as unknown as ContainerRecord["process"],
  };
}

const fakeRuntime: MetricsRuntime = {
  sandboxes: () => [sandbox("u1", "web", "ready"), sandbox("u2", "old", "notready")],
  containers: (uid?: string) =>
    [container("u1", "app", "running"), container("u1", "side", "exited"), container("u2", "gone", "exited"), container("u1", "new", "created")].filter((c) => !uid || c.podUid === uid),
  usage: async (id) => {
    if (id === "u1-side") throw new Error("exited");
    return { cpuNanos: 2_500_000_000, memoryWorkingSetBytes: 4096, memoryUsageBytes: 8192, oomKills: 0, pids: 1 };
  },
  podUsage: async () => ({ cpuNanos: 3_000_000_000, memoryWorkingSetBytes: 8192, memoryUsageBytes: 9000, oomKills: 0, pids: 2 }),
};

describe("kubelet metrics", () => {
  it("running pods and containers by state, from the runtime at scrape time", async () => {
    const r = new Registry();
    const stop = registerKubeletMetrics(r, fakeRuntime);
    const m = parsePromText(await r.render());
    assert.equal(samplesOf(m, "kubelet_running_pods")[0].value, 1);
    assert.equal(samplesOf(m, "kubelet_running_containers", { container_state: "running" })[0].value, 1);
    assert.equal(samplesOf(m, "kubelet_running_containers", { container_state: "exited" })[0].value, 2);
    assert.equal(samplesOf(m, "kubelet_running_containers", { container_state: "created" })[0].value, 1);
    stop();
    assert.equal(await r.render(), "");
  });

  it("pod start duration: first seen → first Running, once, over the injected clock", async () => {
    let now = 1_000_000;
    const r = new Registry();
    const starts = new PodStartTracker(r, () => now);
    starts.seen("a");
    now += 300;
    starts.seen("a"); // seen again: the first sighting counts
    now += 2_700;
    starts.phaseChange("a", "Pending", "Running");
    starts.phaseChange("a", "Running", "Succeeded");
    starts.phaseChange("a", undefined, "Running"); // already observed
    starts.seen("b");
    starts.forget("b");
    starts.phaseChange("b", "Pending", "Running"); // gone: not observed
    starts.phaseChange("adopted", "Running", "Running");
    assert.equal(starts.pending, 0);
    const m = parsePromText(await r.render());
    assert.equal(samplesOf(m, "kubelet_pod_start_duration_seconds_count")[0].value, 1);
    assert.equal(samplesOf(m, "kubelet_pod_start_duration_seconds_sum")[0].value, 3);
    assert.equal(samplesOf(m, "kubelet_pod_start_duration_seconds_bucket", { le: "2" })[0].value, 0);
    assert.equal(samplesOf(m, "kubelet_pod_start_duration_seconds_bucket", { le: "3" })[0].value, 1);
  });

  it("cadvisor: CPU seconds and working set per running container and per pod, with pod/namespace/container labels", async () => {
    const r = new Registry();
    registerCadvisorMetrics(r, fakeRuntime);
    const m = parsePromText(await r.render());
    assert.equal(m.get("container_cpu_usage_seconds_total")?.type, "counter");
    const app = { namespace: "team", pod: "web", container: "app", image: "busybox:1.36", id: "/pods/u1/app" };
    assert.equal(samplesOf(m, "container_cpu_usage_seconds_total", app)[0]?.value, 2.5);
    assert.equal(samplesOf(m, "container_memory_working_set_bytes", app)[0]?.value, 4096);
    const pod = samplesOf(m, "container_cpu_usage_seconds_total", { pod: "web", id: "/pods/u1" });
    assert.equal(pod.length, 1);
    assert.equal(pod[0].labels.container, undefined);
    assert.equal(samplesOf(m, "container_cpu_usage_seconds_total", { container: "side" }).length, 0);
    assert.equal(samplesOf(m, "container_cpu_usage_seconds_total", { pod: "old" }).length, 0);
  });
});
