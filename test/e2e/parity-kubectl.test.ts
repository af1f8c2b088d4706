/**
 * kubectl parity with a real daemon and the real kubectl (privileged): `get --raw /metrics` and
 * `/metrics/cadvisor` in Prometheus text format (checked by a strict parser) with the apiserver's, the kubelet's
 * and cAdvisor's series for a running pod; `describe node` showing the node Lease renewed; `top node` from the
 * whole node; `explain` from the served OpenAPI. One daemon for the whole file.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { needsCommand, needsRoot, skipUnless } from "../helpers/root.js";
import { TestDaemon } from "../helpers/daemon.js";
import { waitFor } from "../helpers/wait.js";
import { parsePromText, samplesOf } from "../helpers/prom-text.js";
import { freePort } from "../helpers/ports.js";

const skip = skipUnless(needsRoot(), needsCommand("kubectl"));

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: sleeper
spec:
  containers:
  - name: main
    image: busybox
    command: ["sh", "-c", "while true; do i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; sleep 1; done"]
`;

describe("kubectl parity (privileged)", { skip }, () => {
  let d: TestDaemon;
  let cache: string;
  const kubectl = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile("kubectl", ["--kubeconfig", join(d.root, "kubeconfig"), "--cache-dir", cache, ...args], { timeout: 60_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  const ok = async (args: string[]) => {
    const r = await kubectl(args);
    assert.equal(r.code, 0, `kubectl ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };

  before(async () => {
    d = new TestDaemon("parity", ["--no-network", "--listen", `127.0.0.1:${await freePort()}`]);
    cache = mkdtempSync(join(tmpdir(), "nodelet-kubectl-cache-"));
    await d.start();
    writeFileSync(join(d.root, "sleeper.yaml"), POD);
    await ok(["apply", "-f", join(d.root, "sleeper.yaml")]);
    await waitFor("sleeper Running", async () => (await kubectl(["get", "pod", "sleeper", "-o", "jsonpath={.status.phase}"])).stdout === "Running", 60_000, 200);
  });
  after(async () => {
    await d.cleanup();
    rmSync(cache, { recursive: true, force: true });
    assert.deepEqual(d.leftovers(), []);
  });

  test("get --raw /metrics: the apiserver's request series and the kubelet's pods, containers and start duration", async () => {
    const m = parsePromText(await ok(["get", "--raw", "/metrics"]));
    assert.ok(samplesOf(m, "apiserver_request_total", { verb: "APPLY", resource: "pods" }).length + samplesOf(m, "apiserver_request_total", { verb: "POST", resource: "pods", code: "201" }).length >= 1);
    assert.ok(samplesOf(m, "apiserver_request_total", { verb: "GET", resource: "pods", code: "200", scope: "resource" })[0].value >= 1);
    assert.ok(samplesOf(m, "apiserver_request_duration_seconds_count", { verb: "GET", resource: "pods" })[0].value >= 1);
    assert.equal(samplesOf(m, "kubelet_running_pods")[0].value, 1);
    assert.equal(samplesOf(m, "kubelet_running_containers", { container_state: "running" })[0].value, 1);
    const starts = samplesOf(m, "kubelet_pod_start_duration_seconds_count")[0].value;
    assert.equal(starts, 1);
    assert.ok(samplesOf(m, "kubelet_pod_start_duration_seconds_sum")[0].value > 0);
  });

  test("get --raw /metrics/cadvisor: CPU seconds and working set of the pod's container", async () => {
    const series = async () => parsePromText(await ok(["get", "--raw", "/metrics/cadvisor"]));
    const labels = { namespace: "default", pod: "sleeper", container: "main" };
    const first = samplesOf(await series(), "container_cpu_usage_seconds_total", labels)[0].value;
    await waitFor("the container's CPU time to grow", async () => samplesOf(await series(), "container_cpu_usage_seconds_total", labels)[0].value > first, 20_000, 500);
    const mem = samplesOf(await series(), "container_memory_working_set_bytes", labels);
    assert.equal(mem.length, 1);
    assert.ok(mem[0].value > 0);
    assert.match(mem[0].labels.image, /busybox/);
  });

  test("describe node shows the Lease renewed by the node; get leases lists it", async () => {
    const node = (await ok(["get", "nodes", "-o", "jsonpath={.items[0].metadata.name}"])).trim();
    const renewTime = async () => (await ok(["get", "lease", node, "-n", "kube-node-lease", "-o", "jsonpath={.spec.renewTime}"])).trim();
    const before = await renewTime();
    assert.match(before, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    const out = await ok(["describe", "node", node]);
    assert.doesNotMatch(out, /Failed to get lease/);
    assert.match(out, new RegExp(`^Lease:\\n  HolderIdentity:  ${node}\\n  AcquireTime:     <unset>\\n  RenewTime:       \\w{3}, \\d\\d \\w{3} \\d{4} [\\d:]{8} \\+0000$`, "m"));
    assert.match(await ok(["get", "leases", "-n", "kube-node-lease"]), new RegExp(`^NAME\\s+HOLDER\\s+AGE\\n${node}\\s+${node}\\s+\\S+$`, "m"));
    await waitFor("the lease to be renewed (every 10 s)", async () => (await renewTime()) > before, 25_000, 1000);
  });

  test("top node reports the whole node, more than its one small pod", async () => {
    const out = await ok(["top", "node"]);
    const m = /^\S+\s+(\d+)m\s+\d+%\s+(\d+)Mi\s+\d+%\s*$/m.exec(out);
    assert.ok(m, out);
    const pod = /^sleeper\s+(\d+)m\s+(\d+)Mi\s*$/m.exec(await ok(["top", "pod", "sleeper"]));
    assert.ok(pod);
    // The host runs the daemon, kubectl and the rest of the machine: its working set is far above a busybox loop's.
    assert.ok(Number(m[2]) > Number(pod[2]) + 50, `node ${m[2]}Mi vs pod ${pod[2]}Mi`);
  });

  test("explain pod.spec.containers and deployment.spec.strategy print the fields with their descriptions", async () => {
    const containers = await ok(["explain", "pod.spec.containers"]);
    assert.match(containers, /^KIND:\s+Pod\nVERSION:\s+v1\n/m, containers);
    assert.match(containers, /^FIELD: containers <\[\]Container>$/m, containers);
    assert.match(containers, /List of containers belonging to the pod/);
    assert.match(containers, /^ {2}image\t<string>\n {4}Container image name/m, containers);
    assert.match(containers, /^ {2}ports\t<\[\]ContainerPort>$/m, containers);
    const strategy = await ok(["explain", "deployment.spec.strategy"]);
    assert.match(strategy, /^GROUP:\s+apps\nKIND:\s+Deployment\nVERSION:\s+v1\n/m, strategy);
    assert.match(strategy, /^FIELD: strategy <DeploymentStrategy>$/m, strategy);
    assert.match(strategy, /The deployment strategy to use to replace existing pods with new ones\./);
    assert.match(strategy, /^ {2}rollingUpdate\t<RollingUpdateDeployment>$/m, strategy);
    assert.match(strategy, /^ {2}type\t<string>\n {4}Type of deployment\./m, strategy);
  });
});
