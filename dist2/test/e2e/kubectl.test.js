/**
 * End to end with the real kubectl (v1.32 via the machine's dispatcher): a server on a temp unix socket and an
 * HTTPS port with a bearer token, a kubeconfig pointing at it, and a fresh --cache-dir (kubectl caches discovery
 * and even /version per host:port). The test plays the kubelet where one is needed: it sets pod status and
 * finishes graceful deletions.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { resourceForKind } from "../../src/api/resources.js";
import { ensureServingCert, writeKubeconfig } from "../../src/apiserver/index.js";
import { needsCommand, skipUnless } from "../helpers/root.js";
import { startTestServer } from "../unit/apiserver/harness.js";
const PODS = resourceForKind("Pod");
const skip = skipUnless(needsCommand("kubectl"), needsCommand("openssl"));
if (skip)
    console.log(`# skipping kubectl e2e: ${skip}`);
const POD_YAML = `apiVersion: v1
kind: Pod
metadata:
  name: web
  labels:
    app: web
spec:
  nodeName: node1
  containers:
  - name: main
    image: busybox
    command: ["sleep", "3600"]
`;
describe("kubectl against nodelet", { skip }, () => {
    let dir;
    let t;
    let kubeconfig;
    let cacheDir;
    /** Runs kubectl asynchronously (the server lives in this process, so a sync spawn would deadlock). */
    function kubectl(args, opts = {}) {
        return new Promise((resolve, reject) => {
            const child = spawn("kubectl", ["--kubeconfig", kubeconfig, "--cache-dir", cacheDir, ...args], {
                env: { PATH: process.env.PATH, HOME: dir },
            });
            let stdout = "";
            let stderr = "";
            child.stdout.on("data", (d) => (stdout += d.toString()));
            child.stderr.on("data", (d) => (stderr += d.toString()));
            const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 30_000);
            child.on("error", reject);
            child.on("close", (code) => {
                clearTimeout(timer);
                resolve({ code, stdout, stderr });
            });
        });
    }
    async function ok(args) {
        const r = await kubectl(args);
        assert.equal(r.code, 0, `kubectl ${args.join(" ")} failed: ${r.stderr}`);
        return r.stdout;
    }
    /** What the kubelet would report for a running pod. */
    function setRunning(name, extra = {}) {
        const pod = t.store.get("Pod", "default", name);
        assert.ok(pod, `pod ${name} exists`);
        const status = {
            phase: "Running",
            podIP: "10.88.0.7",
            podIPs: [{ ip: "10.88.0.7" }],
            hostIP: "192.168.0.2",
            conditions: [{ type: "Ready", status: "True" }],
            containerStatuses: [{ name: "main", ready: true, restartCount: 0, image: "busybox", imageID: "", state: { running: { startedAt: new Date().toISOString() } }, lastState: {} }],
            ...extra,
        };
        return t.store.update({ ...pod, status }, { subresource: "status" });
    }
    before(async () => {
        dir = mkdtempSync(join(tmpdir(), "nodelet-kubectl-"));
        const cert = await ensureServingCert({ dir: join(dir, "pki") });
        t = await startTestServer({ tcp: { host: "127.0.0.1", port: 0, token: "e2e-token", ...cert }, fake: { logs: { main: "hello from main\nsecond line\n" } } });
        kubeconfig = join(dir, "kubeconfig");
        cacheDir = join(dir, "cache");
        await writeKubeconfig(kubeconfig, { server: `https://127.0.0.1:${t.server.tcpAddress().port}`, caCert: cert.cert, token: "e2e-token" });
        writeFileSync(join(dir, "pod.yaml"), POD_YAML);
    });
    after(async () => {
        await t?.close();
        rmSync(dir, { recursive: true, force: true });
    });
    it("version reports the 1.32 server", async () => {
        assert.match(await ok(["version"]), /Server Version: v1\.32\.0-nodelet/);
    });
    it("api-resources lists our kinds, metrics included", async () => {
        const out = await ok(["api-resources"]);
        assert.match(out, /^pods\s+po\s+v1\s+true\s+Pod$/m);
        assert.match(out, /^endpointslices\s+discovery\.k8s\.io\/v1\s+true\s+EndpointSlice$/m);
        assert.match(out, /metrics\.k8s\.io\/v1beta1\s+true\s+PodMetrics/);
    });
    it("create -f creates, a second time is AlreadyExists", async () => {
        assert.match(await ok(["create", "-f", join(dir, "pod.yaml")]), /^pod\/web created$/m);
        const again = await kubectl(["create", "-f", join(dir, "pod.yaml")]);
        assert.equal(again.code, 1);
        assert.match(again.stderr, /Error from server \(AlreadyExists\): error when creating ".*pod\.yaml": pods "web" already exists/);
        setRunning("web");
    });
    it("get pods prints server-side columns", async () => {
        const out = await ok(["get", "pods"]);
        assert.match(out, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/m);
        assert.match(out, /^web\s+1\/1\s+Running\s+0\s+\d+s$/m);
    });
    it("get pods -o wide adds IP and node", async () => {
        const out = await ok(["get", "pods", "-o", "wide"]);
        assert.match(out, /IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES/);
        assert.match(out, /^web\s+1\/1\s+Running\s+0\s+\S+\s+10\.88\.0\.7\s+node1\s+<none>\s+<none>$/m);
    });
    it("get pods -o json and -o yaml print a List", async () => {
        const list = JSON.parse(await ok(["get", "pods", "-o", "json"]));
        assert.equal(list.kind, "List");
        assert.equal(list.items[0].metadata.name, "web");
        assert.equal(list.items[0].status?.phase, "Running");
        assert.match(await ok(["get", "pods", "-o", "yaml"]), /^kind: List$/m);
    });
    it("get pods -A shows the namespace, -l selects", async () => {
        assert.match(await ok(["get", "pods", "-A"]), /^default\s+web\s+1\/1\s+Running/m);
        assert.match(await ok(["get", "pods", "-l", "app=web", "--show-labels"]), /^web\s.*app=web$/m);
        const none = await kubectl(["get", "pods", "-l", "app=nothing"]);
        assert.equal(none.code, 0);
        assert.match(none.stderr, /No resources found in default namespace\./);
    });
    it("get pod X prints one row; a missing one is NotFound", async () => {
        const out = await ok(["get", "pod", "web"]);
        assert.equal(out.trim().split("\n").length, 2);
        const missing = await kubectl(["get", "pod", "nope"]);
        assert.equal(missing.code, 1);
        assert.match(missing.stderr, /Error from server \(NotFound\): pods "nope" not found/);
    });
    it("describe pod shows the pod and its events", async () => {
        const pod = t.store.get("Pod", "default", "web");
        const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
        t.store.create({
            apiVersion: "v1",
            kind: "Event",
            metadata: { name: "web.started", namespace: "default" },
            involvedObject: { kind: "Pod", name: "web", namespace: "default", uid: pod.metadata.uid, fieldPath: "spec.containers{main}" },
            reason: "Started",
            message: "Started container main",
            type: "Normal",
            source: { component: "kubelet", host: "node1" },
            firstTimestamp: now,
            lastTimestamp: now,
            count: 1,
        });
        const out = await ok(["describe", "pod", "web"]);
        assert.match(out, /^Name:\s+web$/m);
        assert.match(out, /^Status:\s+Running$/m);
        assert.match(out, /^IP:\s+10\.88\.0\.7$/m);
        assert.match(out, /Normal\s+Started\s+\S+\s+kubelet\s+Started container main/);
    });
    it("get events prints the event table", async () => {
        const out = await ok(["get", "events"]);
        assert.match(out, /^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE$/m);
        assert.match(out, /Normal\s+Started\s+pod\/web\s+Started container main/);
    });
    it("logs prints the container log", async () => {
        assert.equal(await ok(["logs", "web"]), "hello from main\nsecond line\n");
        assert.equal(await ok(["logs", "web", "--tail", "1"]), "second line\n");
    });
    it("top pod shows usage from metrics.k8s.io", async () => {
        const out = await ok(["top", "pod"]);
        assert.match(out, /^NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)/m);
        assert.match(out, /^web\s+2m\s+10Mi/m);
    });
    it("get pods -w receives a change", async () => {
        const child = spawn("kubectl", ["--kubeconfig", kubeconfig, "--cache-dir", cacheDir, "get", "pods", "-w"], { env: { PATH: process.env.PATH, HOME: dir } });
        let out = "";
        child.stdout.on("data", (d) => (out += d.toString()));
        try {
            for (let i = 0; i < 300 && !/^web\s/m.test(out); i++)
                await sleep(20);
            assert.match(out, /^web\s+1\/1\s+Running/m);
            await sleep(200);
            setRunning("web", {
                conditions: [{ type: "Ready", status: "False" }],
                containerStatuses: [{ name: "main", ready: false, restartCount: 1, image: "busybox", imageID: "", state: { waiting: { reason: "CrashLoopBackOff" } }, lastState: {} }],
            });
            for (let i = 0; i < 300 && !/CrashLoopBackOff/.test(out); i++)
                await sleep(20);
            assert.match(out, /^web\s+0\/1\s+CrashLoopBackOff\s+1\s/m);
            assert.equal(child.exitCode, null, "the watch stays open");
        }
        finally {
            child.kill();
        }
        setRunning("web");
    });
    it("apply -f creates, then patches on the second run", async () => {
        const file = join(dir, "applied.yaml");
        writeFileSync(file, POD_YAML.replace("name: web", "name: applied"));
        assert.match(await ok(["apply", "-f", file]), /^pod\/applied created$/m);
        const applied = t.store.get("Pod", "default", "applied");
        assert.ok(applied.metadata.annotations?.["kubectl.kubernetes.io/last-applied-configuration"]);
        writeFileSync(file, POD_YAML.replace("name: web", "name: applied").replace("app: web", "app: web\n    tier: front"));
        const second = await kubectl(["apply", "-f", file]);
        assert.equal(second.code, 0, second.stderr);
        assert.match(second.stdout, /^pod\/applied configured$/m);
        assert.equal(t.store.get("Pod", "default", "applied")?.metadata.labels?.tier, "front");
    });
    it("apply --server-side creates a missing object", async () => {
        const file = join(dir, "ssa.yaml");
        writeFileSync(file, POD_YAML.replace("name: web", "name: ssa"));
        assert.match(await ok(["apply", "--server-side", "-f", file]), /^pod\/ssa serverside-applied$/m);
        assert.ok(t.store.get("Pod", "default", "ssa"));
    });
    it("delete pod waits for the kubelet's final delete", async () => {
        // Play the kubelet: once the pod is marked for deletion, stop it and remove it with a uid precondition.
        const stop = t.store.watch("Pod", { fieldSelector: "metadata.name=web" }, (ev) => {
            const pod = ev.object;
            if (ev.type !== "MODIFIED" || !pod.metadata.deletionTimestamp)
                return;
            setTimeout(() => {
                void t.client.delete(PODS, "default", "web", { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } }).catch(() => undefined);
            }, 300);
        });
        try {
            const started = Date.now();
            const out = await ok(["delete", "pod", "web"]);
            assert.match(out, /^pod "web" deleted$/m);
            assert.ok(Date.now() - started >= 250, "kubectl waited for the pod to go");
            assert.equal(t.store.get("Pod", "default", "web"), undefined);
        }
        finally {
            stop();
        }
    });
    it("create configmap/secret/namespace/service (protobuf bodies) and get them", async () => {
        assert.match(await ok(["create", "configmap", "cfg", "--from-literal=a=b", "--from-literal=empty="]), /^configmap\/cfg created$/m);
        assert.deepEqual(t.store.get("ConfigMap", "default", "cfg")?.data, { a: "b", empty: "" });
        assert.match(await ok(["create", "secret", "generic", "sec", "--from-literal=x=y"]), /^secret\/sec created$/m);
        assert.match(await ok(["create", "namespace", "team"]), /^namespace\/team created$/m);
        assert.match(await ok(["create", "service", "clusterip", "websvc", "--tcp=80:8080"]), /^service\/websvc created$/m);
        assert.match(await ok(["get", "cm", "cfg"]), /^cfg\s+2\s+\d+s$/m);
        assert.match(await ok(["get", "secrets"]), /^sec\s+Opaque\s+1\s+\d+s$/m);
        assert.match(await ok(["get", "svc", "-o", "wide"]), /^websvc\s+ClusterIP\s+<none>\s+<none>\s+80\/TCP\s+\S+\s+app=websvc$/m);
        assert.match(await ok(["get", "ns"]), /^team\s+Active\s+\d+s$/m);
    });
    it("delete namespace waits until it is gone", async () => {
        assert.match(await ok(["delete", "namespace", "team"]), /^namespace "team" deleted$/m);
        assert.equal(t.store.get("Namespace", "", "team"), undefined);
        const refused = await kubectl(["delete", "namespace", "default"]);
        assert.equal(refused.code, 1);
        assert.match(refused.stderr, /Error from server \(Forbidden\): namespaces "default" is forbidden: this namespace may not be deleted/);
    });
    it("delete --grace-period=0 --force removes at once", async () => {
        const out = await kubectl(["delete", "pod", "applied", "--grace-period=0", "--force"]);
        assert.equal(out.code, 0, out.stderr);
        assert.equal(t.store.get("Pod", "default", "applied"), undefined);
    });
});
//# sourceMappingURL=kubectl.test.js.map