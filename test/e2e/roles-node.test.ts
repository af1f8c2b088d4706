/**
 * A cluster of two processes: `nodelet control-plane` on etcd (the test's own member), signing certificates for
 * 150 s (--cluster-signing-duration), and one `nodelet node` joined to it with a bootstrap token, each with a root of
 * its own; real kubectl talks to the control plane only. The node registers (Ready, a worker: no control-plane
 * role), holds its Lease, runs a pod bound to it, and its status and events reach the API; a Service's endpoints
 * come from the control plane's controller and the node's DNS and proxy carry a client pod's request to the server
 * pod by the Service's name; kubectl logs -f, exec with stdin, port-forward, top pod and top node through the
 * control plane reach the node's kubelet server (its serving certificate issued through a kubelet-serving CSR); a
 * LoadBalancer Service with both traffic policies Local gets a healthCheckNodePort that the node's proxy answers
 * (kube-proxy's JSON, this node's endpoint count) and still carries a pod's request to the local server; the node
 * renews its client certificate (approved as selfnodeclient) and its serving certificate before they expire and
 * keeps working on them; a deleted pod is gone from the node and the API.
 */
import { spawn, spawnSync } from "node:child_process";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Endpoints, Node, Pod } from "../../src/api/types.js";
import { startEtcd, type TestEtcd } from "../helpers/etcd.js";
import { runKubectl, type KubectlRun } from "../helpers/kubectl-run.js";
import { freePort } from "../helpers/ports.js";
import { removeRoot, startTestControlPlane, startTestNode, type RoleProcess, type TestControlPlane } from "../helpers/roles.js";
import { NODELET } from "../helpers/daemon.js";
import { needsCommand, needsRoot, skipUnless } from "../helpers/root.js";
import { freeOctets } from "../helpers/subnets.js";
import { httpGet } from "../helpers/stream-harness.js";
import { httpGetStatus as httpGetAt } from "../helpers/http-get.js";
import { waitFor } from "../helpers/wait.js";

const skip = skipUnless(needsRoot(), needsCommand("kubectl"), needsCommand("etcd"));
const NODE = "roles-worker-1";

describe("a control plane on etcd and a joined node, driven by kubectl (privileged)", { skip }, () => {
  let etcd: TestEtcd | undefined;
  let cp: TestControlPlane | undefined;
  let node: RoleProcess | undefined;
  let home = "";
  let nodeRoot = "";
  const octet = skip ? 0 : freeOctets(170, 2);
  const serviceCidr = `10.${octet + 1}.0.0/16`;
  const kubectl = (args: string[], input?: string): Promise<KubectlRun> => runKubectl({ kubeconfig: cp!.kubeconfig, cacheDir: join(home, "cache"), home }, args, input, 60_000);
  const json = async <T>(args: string[]): Promise<T | undefined> => {
    const r = await kubectl([...args, "-o", "json"]);
    return r.code === 0 ? (JSON.parse(r.stdout) as T) : undefined;
  };

  before(async () => {
    home = mkdtempSync(join(tmpdir(), "nodelet-roles-kubectl-"));
    etcd = await startEtcd();
    // Certificates of 150 s (backdated 5 min by the signer): each is renewed 15–105 s after it is issued.
    cp = await startTestControlPlane(await freePort(), ["--etcd-servers", etcd.endpoint, "--cluster-cidr", `10.${octet}.0.0/16`, "--service-cidr", serviceCidr, "--cluster-signing-duration", "150s"]);
    const token = spawnSync(process.execPath, [NODELET, "token", "create", "--socket", join(cp.root, "nodelet.sock"), "--ttl", "1h"], { encoding: "utf8", timeout: 60_000 });
    assert.equal(token.status, 0, token.stderr);
    nodeRoot = mkdtempSync(join(tmpdir(), "nodelet-node-"));
    const bridge = `nlr${process.pid % 10000}`;
    const kubeletPort = String(await freePort());
    const joinFlags = ["--server", cp.server, "--token", token.stdout.trim(), "--ca-file", join(cp.root, "pki", "ca.crt")];
    node = await startTestNode(nodeRoot, joinFlags, NODE, ["--bridge", bridge, "--cluster-cidr", `10.${octet}.0.0/16`, "--pod-cidr", `10.${octet}.1.0/24`, "--service-cidr", serviceCidr], ["--kubelet-port", kubeletPort]);
  });

  after(async () => {
    await node?.stop();
    await cp?.stop();
    await etcd?.stop();
    if (nodeRoot) removeRoot(nodeRoot);
    if (cp) removeRoot(cp.root);
    rmSync(home, { recursive: true, force: true });
  });

  test("the node registers through the control plane: Ready, a worker, its Lease renewed", async () => {
    await waitFor("the node Ready", async () => (await json<Node>(["get", "node", NODE]))?.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false, 60_000, 500);
    const n = (await json<Node>(["get", "node", NODE]))!;
    assert.equal(n.metadata.labels?.["node-role.kubernetes.io/control-plane"], undefined);
    assert.equal(n.spec?.podCIDR, `10.${octet}.1.0/24`);
    const lease = await kubectl(["get", "lease", "-n", "kube-node-lease", NODE, "-o", "jsonpath={.spec.holderIdentity}"]);
    assert.equal(lease.stdout, NODE, lease.stderr);
    // The control plane runs no kubelet: the node list is the joined node alone.
    assert.equal((await kubectl(["get", "nodes", "-o", "name"])).stdout.trim(), `node/${NODE}`);
  });

  test("a pod bound to the node runs; a Service reaches it by name through the node's DNS and proxy", async () => {
    const web = `apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web}}
spec:
  nodeName: ${NODE}
  terminationGracePeriodSeconds: 1
  containers:
  - name: web
    image: busybox
    command: ["sh", "-c", "mkdir -p /www && echo hello-from-node > /www/index.html; (i=0; while true; do echo tick $i; i=$((i+1)); sleep 1; done) & exec httpd -f -p 8080 -h /www"]
    readinessProbe: {tcpSocket: {port: 8080}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
`;
    const applied = await kubectl(["apply", "-f", "-"], web);
    assert.equal(applied.code, 0, applied.stderr);
    await waitFor("web Running and Ready", async () => (await json<Pod>(["get", "pod", "web"]))?.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false, 90_000, 500);
    const pod = (await json<Pod>(["get", "pod", "web"]))!;
    assert.equal(pod.spec.nodeName, NODE);
    assert.match(pod.status?.podIP ?? "", new RegExp(`^10\\.${octet}\\.1\\.`));
    await waitFor("the Service's endpoints", async () => ((await json<Endpoints>(["get", "endpoints", "web"]))?.subsets?.[0]?.addresses?.length ?? 0) === 1, 30_000, 500);
    const client = `apiVersion: v1
kind: Pod
metadata: {name: client}
spec:
  nodeName: ${NODE}
  restartPolicy: Never
  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10; do timeout 3 wget -qO- http://web.default.svc.cluster.local/ | grep -q hello-from-node && exit 0; sleep 1; done; exit 1"]
`;
    assert.equal((await kubectl(["apply", "-f", "-"], client)).code, 0);
    await waitFor("client Succeeded or Failed", async () => ["Succeeded", "Failed"].includes((await json<Pod>(["get", "pod", "client"]))?.status?.phase ?? ""), 90_000, 500);
    assert.equal((await json<Pod>(["get", "pod", "client"]))?.status?.phase, "Succeeded", "the client reached web by its Service name");
    const events = await kubectl(["get", "events", "--field-selector", "involvedObject.name=web", "-o", "jsonpath={.items[*].reason}"]);
    assert.match(events.stdout, /Started/);
  });

  test("a LoadBalancer Service with traffic policies Local: healthCheckNodePort allocated and answered by the node's proxy, traffic to the local pod", async () => {
    const svc = `apiVersion: v1
kind: Service
metadata: {name: web-local}
spec:
  type: LoadBalancer
  externalTrafficPolicy: Local
  internalTrafficPolicy: Local
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
`;
    assert.equal((await kubectl(["apply", "-f", "-"], svc)).code, 0);
    const hc = Number((await kubectl(["get", "svc", "web-local", "-o", "jsonpath={.spec.healthCheckNodePort}"])).stdout);
    assert.ok(hc >= 30000 && hc <= 32767, `healthCheckNodePort ${hc}`);
    const described = await kubectl(["describe", "svc", "web-local"]);
    assert.match(described.stdout, new RegExp(`HealthCheck NodePort:\\s+${hc}\\n`), described.stdout);
    assert.match(described.stdout, /External Traffic Policy:\s+Local/);
    // The node's proxy listens on the health check port at the node's address (the node runs on this host).
    const nodeIP = (await kubectl(["get", "node", NODE, "-o", "jsonpath={.status.addresses[?(@.type==\"InternalIP\")].address}"])).stdout;
    let answer: { status: number; body: string } | undefined;
    await waitFor("the health check answering 200", async () => (answer = await httpGetAt(nodeIP, hc, "/healthz").catch(() => undefined))?.status === 200, 30_000, 500);
    assert.deepEqual(JSON.parse(answer!.body), { service: { namespace: "default", name: "web-local" }, localEndpoints: 1, serviceProxyHealthy: true });
    const ip = (await kubectl(["get", "svc", "web-local", "-o", "jsonpath={.spec.clusterIP}"])).stdout;
    const r = await kubectl(["exec", "web", "--", "sh", "-c", `for i in 1 2 3 4 5 6 7 8 9 10; do timeout 3 wget -qO- http://${ip}/ && exit 0; sleep 1; done; exit 1`]);
    assert.equal(r.stdout, "hello-from-node\n", `the cluster IP with internalTrafficPolicy Local reaches the pod on this node: ${r.stderr}`);
    assert.equal((await kubectl(["delete", "svc", "web-local"])).code, 0);
    await waitFor("the health check port closed", async () => (await httpGetAt(nodeIP, hc, "/healthz").catch(() => undefined)) === undefined, 30_000, 500);
  });

  test("logs -f, exec with stdin, port-forward, top pod and top node reach the node's kubelet through the control plane", async () => {
    const csr = await kubectl(["get", "csr", "-o", "jsonpath={range .items[?(@.spec.signerName==\"kubernetes.io/kubelet-serving\")]}{.status.conditions[0].type}{\"\\n\"}{end}"]);
    assert.match(csr.stdout, /Approved/, `the node's serving certificate request: ${csr.stdout} ${csr.stderr}`);
    // logs -f: lines written after kubectl started keep arriving.
    const follow = spawn("kubectl", ["--kubeconfig", cp!.kubeconfig, "--cache-dir", join(home, "cache"), "logs", "-f", "web"], { env: { PATH: process.env.PATH, HOME: home }, stdio: ["ignore", "pipe", "pipe"] });
    let followed = "";
    let followErr = "";
    follow.stdout.on("data", (d: Buffer) => (followed += d.toString()));
    follow.stderr.on("data", (d: Buffer) => (followErr += d.toString()));
    try {
      await waitFor("a first tick", () => /tick (\d+)/.test(followed), 30_000, 100);
      const first = Number(/tick (\d+)/.exec(followed)![1]);
      const later = () => [...followed.matchAll(/tick (\d+)/g)].map((m) => Number(m[1])).at(-1)!;
      await waitFor(`two ticks after tick ${first} (${followErr})`, () => later() >= first + 2, 30_000, 100);
    } finally {
      follow.kill("SIGTERM");
    }
    const exec = await kubectl(["exec", "-i", "web", "--", "sh", "-c", "cat; exit 3"], "hello through the kubelet\n");
    assert.equal(exec.code, 3, exec.stderr);
    assert.equal(exec.stdout, "hello through the kubelet\n");
    assert.match(exec.stderr, /command terminated with exit code 3/);
    const pf = spawn("kubectl", ["--kubeconfig", cp!.kubeconfig, "--cache-dir", join(home, "cache"), "port-forward", "pod/web", ":8080"], { env: { PATH: process.env.PATH, HOME: home }, stdio: ["ignore", "pipe", "pipe"] });
    try {
      let out = "";
      pf.stdout.on("data", (d: Buffer) => (out += d.toString()));
      await waitFor("kubectl port-forward listening", () => /Forwarding from 127\.0\.0\.1:(\d+)/.test(out), 30_000, 100);
      const port = Number(/Forwarding from 127\.0\.0\.1:(\d+)/.exec(out)![1]);
      assert.deepEqual(await httpGet(port, "/"), { status: 200, body: "hello-from-node\n" });
    } finally {
      pf.kill("SIGTERM");
    }
    let top: KubectlRun | undefined;
    await waitFor("kubectl top pod", async () => (top = await kubectl(["top", "pod", "web", "--no-headers"])).code === 0, 30_000, 1000);
    assert.match(top!.stdout, /^web\s+\d+m\s+\d+Mi/, top!.stderr);
    // top node: the joined node's NodeMetrics from its kubelet's summary, percentages against its allocatable.
    let topNode: KubectlRun | undefined;
    await waitFor("kubectl top node", async () => (topNode = await kubectl(["top", "node", "--no-headers"])).code === 0, 30_000, 1000);
    assert.match(topNode!.stdout, new RegExp(`^${NODE}\\s+\\d+m\\s+\\d+%\\s+\\d+Mi\\s+\\d+%\\s*$`), `${topNode!.stdout}${topNode!.stderr}`);
    const one = await kubectl(["get", "--raw", `/apis/metrics.k8s.io/v1beta1/nodes/${NODE}`]);
    assert.equal((JSON.parse(one.stdout) as { kind: string }).kind, "NodeMetrics", one.stderr);
    const missing = await kubectl(["top", "node", "no-such-node"]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /nodes\.metrics\.k8s\.io "no-such-node" not found|not found/);
  });

  test("the node renews its client certificate (selfnodeclient) and its serving certificate, and keeps working", async () => {
    interface Csr {
      metadata: { name: string };
      spec: { signerName: string; username?: string };
      status?: { certificate?: string; conditions?: { type: string; message?: string }[] };
    }
    const issued = async (signer: string) => ((await json<{ items: Csr[] }>(["get", "csr"]))?.items ?? []).filter((c) => c.spec.signerName === signer && c.spec.username === `system:node:${NODE}` && c.status?.certificate);
    // The bootstrap's request was the token's; a renewal is the node's own. The serving certificate's were always the node's.
    await waitFor("a renewal of each certificate", async () => (await issued("kubernetes.io/kube-apiserver-client-kubelet")).length >= 1 && (await issued("kubernetes.io/kubelet-serving")).length >= 2, 180_000, 2000);
    const renewal = (await issued("kubernetes.io/kube-apiserver-client-kubelet"))[0];
    assert.equal(renewal.status?.conditions?.find((c) => c.type === "Approved")?.message, "Auto approving self kubelet client certificate after SubjectAccessReview.");
    assert.match(node!.output(), /client certificate rotation: client certificate for system:node:roles-worker-1 issued/);
    // The kubeconfig the node rewrote holds a certificate the API takes.
    const whoami = await runKubectl({ kubeconfig: join(nodeRoot, "pki", "kubelet.conf"), cacheDir: join(home, "cache-node"), home }, ["auth", "whoami"]);
    assert.match(whoami.stdout, /system:node:roles-worker-1/, whoami.stderr);
    // Still working: the Lease is renewed after the rotation, and the kubelet server answers on its new certificate.
    const renewed = Date.now();
    await waitFor("a Lease renewal after the rotation", async () => Date.parse((await json<{ spec: { renewTime: string } }>(["get", "lease", "-n", "kube-node-lease", NODE]))?.spec.renewTime ?? "") > renewed, 30_000, 1000);
    const logs = await kubectl(["logs", "web", "--tail", "1"]);
    assert.match(logs.stdout, /tick \d+/, logs.stderr);
  });

  test("a deleted pod is stopped on the node and gone from the API", async () => {
    const del = await kubectl(["delete", "pod", "web", "client", "--wait=true", "--timeout=60s"]);
    assert.equal(del.code, 0, del.stderr);
    assert.equal((await kubectl(["get", "pods", "-o", "name"])).stdout.trim(), "");
    assert.match(node!.output(), /nodelet node ready/);
  });
});
