/**
 * `nodelet cluster up --nodes 3 --etcd-members 3 --control-planes 2` on this host, driven by real kubectl with
 * DIR/kubeconfig — one cluster for the whole file, with short election timings (lease 4 s) and node grace (20 s).
 * The nodes joined by bootstrap token handed over in a file (never on their command line; the file removed, the
 * CSRs approved, the token deleted after), workers all; the two replicas behind the balancer, one leading; a
 * Deployment of 9 replicas spread by topologySpreadConstraints lands 3 on each node; from a client pod on every node,
 * a pod on another node answers by pod IP, and the Service by ClusterIP and by DNS name; a pod asking for more CPU
 * than any node has stays Pending with the scheduler's message; a WaitForFirstConsumer claim no node's disk holds is
 * handed back by the node (ProvisioningFailed) and its pod stays unbound with PreBind's FailedScheduling message; a
 * WaitForFirstConsumer claim is provisioned on the node the scheduler chose and grown there, its pods follow the
 * volume (one pinned elsewhere: volume node affinity conflict), that node reclaims it, and an Immediate claim is taken by one node; kill -9 of one etcd member of three
 * during 100 pod creations loses no write and the API keeps answering; kill -9 of the leading replica: the standby
 * leads once the lease has run out, the API answers throughout, and a Deployment made after runs; a node agent
 * restarted keeps its pods; a node cut off (its veth down) turns Ready=Unknown after the grace period, is tainted
 * unreachable, its pods are evicted and replaced on the others, and back on the link its stale pods leave the API
 * and the host and it is Ready again; `cluster down` leaves no namespace, link, route, rule, cgroup, mount, process
 * or file. Bad input is refused before anything is made.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Event, Node, NodeSelectorTerm, PersistentVolume, PersistentVolumeClaim, Pod, Taint } from "../../src/api/types.js";
import { manifestFile, replicasOf, type ClusterManifest } from "../../src/cmd/cluster/plan.js";
import { apiGet, apiGetText } from "../../src/cmd/cluster/api.js";
import type { Lease } from "../../src/api/lease.js";
import type { ClusterStatus } from "../../src/cmd/cluster/status.js";
import { readPidFile, runningProcess, startDetached } from "../../src/cmd/cluster/processes.js";
import { readKubeconfigEndpoint } from "../../src/store/remote-kubeconfig.js";
import { HostRunner } from "../../src/sys/runner.js";
import { isSameProcess } from "../../src/sys/proc.js";
import { NODELET } from "../helpers/daemon.js";
import { runKubectl, type KubectlRun } from "../helpers/kubectl-run.js";
import { sh } from "../helpers/netns.js";
import { needsCommand, needsRoot, skipUnless } from "../helpers/root.js";
import { freeOctets } from "../helpers/subnets.js";
import { waitFor } from "../helpers/wait.js";

const skip = skipUnless(needsRoot(), needsCommand("kubectl"), needsCommand("etcd"));
// Short enough for a test, long enough for a loaded machine: a node's Lease is renewed every 10 s.
const LEASE_MS = 4000;
const RETRY_MS = 500;
const GRACE_MS = 20_000;
const MONITOR_MS = 1000;
const TIMINGS = [`leader-elect-lease-duration=${LEASE_MS}ms`, "leader-elect-renew-deadline=3s", `leader-elect-retry-period=${RETRY_MS}ms`, `node-monitor-grace-period=${GRACE_MS}ms`, `node-monitor-period=${MONITOR_MS}ms`];

/** `nodelet ARGS` to its end: exit code and output. */
function nodelet(args: string[], env: NodeJS.ProcessEnv = process.env, timeoutMs = 240_000): Promise<KubectlRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [NODELET, ...args], { stdio: ["ignore", "pipe", "pipe"], env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** POSTs `body` to the API with the admin kubeconfig: the status code (0: no answer). */
function post(kubeconfig: string, path: string, body: unknown): Promise<number> {
  const ep = readKubeconfigEndpoint(kubeconfig);
  return new Promise((resolve) => {
    const req = request(`${ep.server}${path}`, { method: "POST", ca: ep.ca, cert: ep.cert, key: ep.key, headers: { "content-type": "application/json" }, timeout: 20_000 }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", () => resolve(0));
    req.end(JSON.stringify(body));
  });
}

describe("nodelet cluster up: three nodes on a three-member etcd, driven by kubectl (privileged)", { skip }, () => {
  const parent = skip ? "" : mkdtempSync(join(tmpdir(), "nodelet-cluster-e2e-"));
  const root = join(parent, "cluster");
  const octet = skip ? 0 : freeOctets(236);
  const linkCIDR = `10.${octet}.0.0/24`;
  let manifest: ClusterManifest | undefined;
  let home = "";
  const kubectl = (args: string[], input?: string): Promise<KubectlRun> => runKubectl({ kubeconfig: join(root, "kubeconfig"), cacheDir: join(home, "cache"), home }, args, input, 60_000);
  const json = async <T>(args: string[]): Promise<T | undefined> => {
    const r = await kubectl([...args, "-o", "json"]);
    return r.code === 0 ? (JSON.parse(r.stdout) as T) : undefined;
  };
  const pods = async (selector: string) => (await json<{ items: Pod[] }>(["get", "pods", "-l", selector]))?.items ?? [];

  before(async () => {
    home = mkdtempSync(join(tmpdir(), "nodelet-cluster-kubectl-"));
    const up = await nodelet(["cluster", "up", "--nodes", "3", "--etcd-members", "3", "--control-planes", "2", "--root", root, "--link-cidr", linkCIDR, ...TIMINGS.flatMap((t) => ["--control-plane-arg", t])]);
    assert.equal(up.code, 0, `cluster up: ${up.stderr}`);
    manifest = JSON.parse(readFileSync(manifestFile(root), "utf8")) as ClusterManifest;
  });

  after(async () => {
    // The last test takes the cluster down and checks it; this is for a run that failed before it.
    if (existsSync(manifestFile(root))) await nodelet(["cluster", "down", "--root", root]);
    rmSync(parent, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  });

  test("bad input changes nothing: --nodes 0, --control-planes 8, a replica flag up sets or does not know, a root in use, no etcd on PATH", async () => {
    const other = join(parent, "other");
    const [zero, replicas, planned, unknown, inUse, noEtcd] = await Promise.all([
      nodelet(["cluster", "up", "--nodes", "0", "--root", other]),
      nodelet(["cluster", "up", "--control-planes", "8", "--root", other]),
      nodelet(["cluster", "up", "--control-plane-arg", "listen=0.0.0.0:1", "--root", other]),
      nodelet(["cluster", "up", "--control-plane-arg", "no-such-flag=1", "--root", other]),
      nodelet(["cluster", "up", "--nodes", "1", "--root", root]),
      nodelet(["cluster", "up", "--nodes", "1", "--root", other], { ...process.env, PATH: "/nonexistent" }),
    ]);
    assert.equal(zero.code, 1);
    assert.match(zero.stderr, /--nodes: 0 must be a whole number from 1 to 64/);
    assert.equal(replicas.code, 1);
    assert.match(replicas.stderr, /--control-planes: 8 must be a whole number from 1 to 7/);
    assert.equal(planned.code, 1);
    assert.match(planned.stderr, /--control-plane-arg: --listen is set by cluster up/);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /--control-plane-arg: .*no-such-flag/);
    assert.equal(inUse.code, 1);
    assert.match(inUse.stderr, new RegExp(`--root: ${root} is in use by a cluster`));
    assert.equal(noEtcd.code, 1);
    assert.match(noEtcd.stderr, /etcd: not found on PATH/);
    assert.equal(existsSync(other), false, "nothing made for a refused up");
  });

  test("status: three healthy members, two healthy replicas behind the balancer (one leading), three Ready workers joined by token", async () => {
    const [r, table, nodeList, csrList, tokens] = await Promise.all([
      nodelet(["cluster", "status", "--root", root, "-o", "json"]),
      nodelet(["cluster", "status", "--root", root]),
      json<{ items: Node[] }>(["get", "nodes"]),
      json<{ items: { spec: { username: string; signerName: string }; status?: { certificate?: string; conditions?: { type: string }[] } }[] }>(["get", "csr"]),
      kubectl(["get", "secrets", "-n", "kube-system", "--field-selector", "type=bootstrap.kubernetes.io/token", "-o", "name"]),
    ]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const s = JSON.parse(r.stdout) as ClusterStatus;
    assert.equal(s.healthy, true);
    assert.deepEqual(s.etcd.map((e) => e.healthy), [true, true, true]);
    assert.deepEqual(s.nodes.map((n) => [n.name, n.ready]), [["node1", "True"], ["node2", "True"], ["node3", "True"]]);
    assert.equal(s.server, `https://10.${octet}.0.1:6443`, "clients use the balancer");
    assert.deepEqual(s.lb && { healthy: s.lb.healthy, server: s.lb.server }, { healthy: true, server: s.server });
    assert.deepEqual(s.controlPlanes.map((c) => [c.name, c.server, c.healthy]), [["control-plane", `https://10.${octet}.0.2:6443`, true], ["control-plane2", `https://10.${octet}.0.3:6443`, true]]);
    for (const lease of ["kube-controller-manager", "kube-scheduler"]) {
      assert.equal(s.controlPlanes.filter((c) => c.leads.includes(lease)).length, 1, `one replica leads ${lease}`);
      assert.ok(s.leaders[lease], `${lease} has a leader`);
    }
    assert.match(table.stdout, /load-balancer\s+api-lb\s+\d+\s+https:\/\/\S+\s+Healthy/);
    assert.match(table.stdout, /control-plane\s+control-plane\s+\d+\s+https:\/\/\S+\s+Healthy,(Leader|Standby)/);
    assert.match(table.stdout, /control-plane\s+control-plane2\s+\d+\s+https:\/\/\S+\s+Healthy,(Leader|Standby)/);
    // The token never was on an agent's command line, and its file is gone once the node has its certificate.
    for (const n of manifest!.nodes) {
      const argv = readFileSync(`/proc/${readPidFile(n.pidFile)!.pid}/cmdline`, "utf8").split("\0");
      assert.ok(!argv.includes("--token") && argv.includes("--bootstrap-kubeconfig"), `${n.name}: ${argv.join(" ")}`);
      assert.equal(existsSync(n.bootstrapKubeconfig), false, `${n.bootstrapKubeconfig} removed`);
      assert.ok(existsSync(join(n.root, "pki", "kubelet.conf")), `${n.name} has its own certificate`);
    }
    const nodes = nodeList!.items;
    assert.deepEqual(nodes.map((n) => n.metadata.name).sort(), ["node1", "node2", "node3"]);
    for (const n of nodes) {
      assert.equal(n.metadata.labels?.["node-role.kubernetes.io/control-plane"], undefined, `${n.metadata.name} is a worker`);
      assert.equal(n.status?.addresses?.find((a) => a.type === "InternalIP")?.address, manifest!.nodes.find((m) => m.name === n.metadata.name)!.address);
    }
    // The real join path: each node's CSR, from its bootstrap token's user, approved and issued; the token gone after.
    const csrs = csrList!.items;
    const byToken = csrs.filter((c) => c.spec.username.startsWith("system:bootstrap:") && c.spec.signerName === "kubernetes.io/kube-apiserver-client-kubelet");
    assert.equal(byToken.length, 3);
    for (const c of byToken) assert.ok(c.status?.conditions?.some((x) => x.type === "Approved") && c.status.certificate);
    assert.equal(tokens.stdout.trim(), "", "the join token is deleted once the nodes are Ready");
  });

  test("a Deployment of 9 replicas spread by topology lands 3 on each node; traffic crosses nodes by pod IP, ClusterIP and DNS name", async () => {
    const web = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 9
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      topologySpreadConstraints:
      - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: web}}}
      containers:
      - name: web
        image: busybox
        command: ["sh", "-c", "mkdir -p /www && echo hello-from-web > /www/index.html && exec httpd -f -p 8080 -h /www"]
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
    const ready = (p: Pod) => p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
    await waitFor("9 web pods Ready", async () => (await pods("app=web")).filter(ready).length === 9, 150_000, 1000);
    const running = await pods("app=web");
    const perNode = new Map<string, string[]>();
    for (const p of running) perNode.set(p.spec.nodeName!, [...(perNode.get(p.spec.nodeName!) ?? []), p.status!.podIP!]);
    assert.deepEqual([...perNode.entries()].map(([n, ips]) => [n, ips.length]).sort(), [["node1", 3], ["node2", 3], ["node3", 3]]);
    const clusterIP = (await kubectl(["get", "svc", "web", "-o", "jsonpath={.spec.clusterIP}"])).stdout;
    await waitFor("the Service's 9 endpoints", async () => (await kubectl(["get", "endpoints", "web", "-o", "jsonpath={.subsets[0].addresses[*].ip}"])).stdout.split(" ").filter(Boolean).length === 9, 30_000, 500);
    // A client on each node: a web pod on the next node by pod IP, then the Service by ClusterIP and by name.
    const clients = ["node1", "node2", "node3"].map((node, i) => {
      const target = perNode.get(`node${((i + 1) % 3) + 1}`)![0];
      const get = (url: string) => `ok=; for t in 1 2 3 4 5 6 7 8 9 10; do timeout 3 wget -qO- ${url} | grep -q hello-from-web && ok=1 && break; sleep 1; done; [ -n "$ok" ] || { echo "no answer from ${url}"; exit 1; }`;
      return `apiVersion: v1
kind: Pod
metadata: {name: client-${node}, labels: {role: client}}
spec:
  nodeName: ${node}
  restartPolicy: Never
  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", ${JSON.stringify([get(`http://${target}:8080/`), get(`http://${clusterIP}/`), get("http://web.default.svc.cluster.local/")].join("; "))}]
`;
    });
    assert.equal((await kubectl(["apply", "-f", "-"], clients.join("---\n"))).code, 0);
    await waitFor("the clients finished", async () => (await pods("role=client")).filter((p) => ["Succeeded", "Failed"].includes(p.status?.phase ?? "")).length === 3, 120_000, 1000);
    for (const p of await pods("role=client")) assert.equal(p.status?.phase, "Succeeded", `${p.metadata.name} reached web by pod IP on another node, by ClusterIP and by DNS name`);
    assert.equal((await kubectl(["delete", "pods", "-l", "role=client", "--wait=false"])).code, 0);
  });

  test("a pod asking for more CPU than any node has stays Pending with the scheduler's message", async () => {
    const big = `apiVersion: v1
kind: Pod
metadata: {name: too-big}
spec:
  containers:
  - {name: c, image: busybox, command: ["sleep", "3600"], resources: {requests: {cpu: "1000"}}}
`;
    assert.equal((await kubectl(["apply", "-f", "-"], big)).code, 0);
    let message = "";
    await waitFor("FailedScheduling for too-big", async () => {
      const events = (await json<{ items: Event[] }>(["get", "events", "--field-selector", "involvedObject.name=too-big,reason=FailedScheduling"]))?.items ?? [];
      message = events[0]?.message ?? "";
      return message !== "";
    }, 30_000, 500);
    assert.match(message, /^0\/3 nodes are available: 3 Insufficient cpu\./);
    const pod = (await json<Pod>(["get", "pod", "too-big"]))!;
    assert.equal(pod.status?.phase, "Pending");
    assert.ok(!pod.spec.nodeName, "not bound");
    assert.equal((await kubectl(["delete", "pod", "too-big", "--wait=false"])).code, 0);
  });

  test("a WaitForFirstConsumer claim no node's disk holds: the node hands it back, the pod is not bound (PreBind failed)", async () => {
    const huge = `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: huge}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 100Ti}}
---
apiVersion: v1
kind: Pod
metadata: {name: huge-user}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - {name: c, image: busybox, command: ["sleep", "3600"], volumeMounts: [{name: d, mountPath: /data}]}
  volumes: [{name: d, persistentVolumeClaim: {claimName: huge}}]
`;
    assert.equal((await kubectl(["apply", "-f", "-"], huge)).code, 0);
    const reasons = async (name: string, reason: string) => ((await json<{ items: Event[] }>(["get", "events", "--field-selector", `involvedObject.name=${name},reason=${reason}`]))?.items ?? []).map((e) => e.message ?? "");
    await waitFor("FailedScheduling for huge-user", async () => (await reasons("huge-user", "FailedScheduling")).includes('running PreBind plugin "VolumeBinding": binding volumes: provisioning failed for PVC "huge"'), 60_000, 500);
    assert.ok((await reasons("huge", "ProvisioningFailed")).some((m) => /insufficient disk space/.test(m)));
    assert.ok(!(await json<Pod>(["get", "pod", "huge-user"]))!.spec.nodeName, "not bound");
    assert.equal((await kubectl(["delete", "pod", "huge-user", "--wait=false"])).code, 0);
    assert.equal((await kubectl(["delete", "pvc", "huge", "--wait=false"])).code, 0);
  });

  test("a WaitForFirstConsumer claim is made on the node the scheduler chose; its pods follow the volume there", async () => {
    const claimed = (name: string, command: string, extra = "") => `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1${extra}
  containers:
  - {name: c, image: busybox, command: ["sh", "-c", ${JSON.stringify(command)}], volumeMounts: [{name: d, mountPath: /data}]}
  volumes: [{name: d, persistentVolumeClaim: {claimName: data}}]
`;
    const writer = `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 64Mi}}
---
${claimed("writer", "echo kept > /data/f")}`;
    assert.equal((await kubectl(["apply", "-f", "-"], writer)).code, 0);
    const phase = async (name: string) => (await json<Pod>(["get", "pod", name]))?.status?.phase ?? "";
    await waitFor("writer Succeeded", async () => (await phase("writer")) === "Succeeded", 120_000, 1000);
    const chosen = (await json<Pod>(["get", "pod", "writer"]))!.spec.nodeName!;
    const claim = (await json<PersistentVolumeClaim>(["get", "pvc", "data"]))!;
    assert.equal(claim.metadata.annotations?.["volume.kubernetes.io/selected-node"], chosen);
    assert.equal(claim.status?.phase, "Bound");
    const pv = (await json<PersistentVolume>(["get", "pv", claim.spec.volumeName!]))!;
    assert.deepEqual((pv.spec.nodeAffinity as { required: { nodeSelectorTerms: NodeSelectorTerm[] } }).required.nodeSelectorTerms[0].matchExpressions?.[0].values, [chosen]);
    const image = join(manifest!.nodes.find((n) => n.name === chosen)!.root, "volumes", pv.metadata.name!);
    assert.ok(existsSync(image), `the volume is on ${chosen}'s disk`);
    // Grown by the node that made it (no pod holds it: the filesystem at once).
    assert.equal((await kubectl(["patch", "pvc", "data", "-p", JSON.stringify({ spec: { resources: { requests: { storage: "128Mi" } } } })])).code, 0);
    await waitFor("the claim grown to 128Mi", async () => (await json<PersistentVolumeClaim>(["get", "pvc", "data"]))?.status?.capacity?.storage === "128Mi", 60_000, 500);
    // Another node by selector: the volume's node affinity rules out the one node the selector allows.
    const other = ["node1", "node2", "node3"].find((n) => n !== chosen)!;
    const stray = claimed("stray", "true", `\n  nodeSelector: {kubernetes.io/hostname: ${other}}`);
    assert.equal((await kubectl(["apply", "-f", "-"], `${stray}---\n${claimed("reader", "grep -q kept /data/f")}`)).code, 0);
    let message = "";
    await waitFor("FailedScheduling for stray", async () => {
      const events = (await json<{ items: Event[] }>(["get", "events", "--field-selector", "involvedObject.name=stray,reason=FailedScheduling"]))?.items ?? [];
      message = events[0]?.message ?? "";
      return message !== "";
    }, 30_000, 500);
    assert.match(message, /^0\/3 nodes are available: 1 node\(s\) had volume node affinity conflict, 2 node\(s\) didn't match Pod's node affinity\/selector\./);
    await waitFor("reader Succeeded", async () => ["Succeeded", "Failed"].includes(await phase("reader")), 120_000, 1000);
    assert.equal(await phase("reader"), "Succeeded", "the reader found the writer's file");
    assert.equal((await json<Pod>(["get", "pod", "reader"]))!.spec.nodeName, chosen);
    // Deleted: the node that made the volume removes it, image and all.
    assert.equal((await kubectl(["delete", "pod", "writer", "reader", "stray", "--wait=true", "--timeout=60s"])).code, 0);
    assert.equal((await kubectl(["delete", "pvc", "data", "--wait=true", "--timeout=60s"])).code, 0);
    await waitFor("the volume reclaimed", async () => (await kubectl(["get", "pv", "-o", "name"])).stdout.trim() === "" && !existsSync(image), 60_000, 500);
    // An Immediate claim: one node takes it (selected-node, through the API's node restriction) and makes it.
    const immediate = `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: now}
provisioner: nodelet.io/local
volumeBindingMode: Immediate
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: now}
spec: {storageClassName: now, accessModes: [ReadWriteOnce], resources: {requests: {storage: 64Mi}}}
`;
    assert.equal((await kubectl(["apply", "-f", "-"], immediate)).code, 0);
    await waitFor("the Immediate claim Bound", async () => (await json<PersistentVolumeClaim>(["get", "pvc", "now"]))?.status?.phase === "Bound", 60_000, 500);
    const taken = (await json<PersistentVolumeClaim>(["get", "pvc", "now"]))!;
    const taker = taken.metadata.annotations?.["volume.kubernetes.io/selected-node"] ?? "";
    assert.ok(existsSync(join(manifest!.nodes.find((n) => n.name === taker)!.root, "volumes", taken.spec.volumeName!)), `made on ${taker}`);
    assert.equal((await kubectl(["delete", "pvc", "now", "--wait=true", "--timeout=60s"])).code, 0);
    await waitFor("the Immediate volume reclaimed", async () => (await kubectl(["get", "pv", "-o", "name"])).stdout.trim() === "", 60_000, 500);
    assert.equal((await kubectl(["delete", "sc", "now"])).code, 0);
  });

  test("kill -9 of one etcd member of three during 100 pod creations: every create answered, none lost", async () => {
    const kubeconfig = join(root, "kubeconfig");
    const victim = manifest!.etcd[1];
    const pid = readPidFile(victim.pidFile)!.pid;
    const statuses: number[] = [];
    const create = async (i: number) => {
      // Held by a scheduling gate: API writes only, nothing for the nodes to run.
      const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: `burst-${i}`, labels: { burst: "1" } }, spec: { schedulingGates: [{ name: "example.com/hold" }], containers: [{ name: "c", image: "busybox" }] } };
      statuses[i] = await post(kubeconfig, "/api/v1/namespaces/default/pods", pod);
    };
    let next = 0;
    const worker = async () => {
      while (next < 100) {
        const i = next++;
        if (i === 30) process.kill(pid, "SIGKILL");
        await create(i);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    assert.equal(runningProcess(victim), undefined, "the member is dead");
    assert.deepEqual(statuses.filter((s) => s !== 201), [], "every create answered 201 Created");
    const names = (await pods("burst=1")).map((p) => p.metadata.name).sort();
    assert.equal(names.length, 100, "all 100 pods are in the store");
    const status = JSON.parse((await nodelet(["cluster", "status", "--root", root, "-o", "json"])).stdout) as ClusterStatus;
    assert.deepEqual(status.etcd.map((e) => e.pid !== null), [true, false, true]);
    assert.equal(status.controlPlane.healthy, true, "the API answers on two members");
    assert.equal((await kubectl(["delete", "pods", "-l", "burst=1", "--wait=false"])).code, 0);
  });

  test("kill -9 of the leading control-plane replica: the standby leads once the lease has run out, the API answers throughout, a Deployment made after runs", async () => {
    const kubeconfig = join(root, "kubeconfig");
    const lease = (name: string) => apiGet<Lease>(kubeconfig, `/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/${name}`);
    const status = async () => JSON.parse((await nodelet(["cluster", "status", "--root", root, "-o", "json"])).stdout) as ClusterStatus;
    const leaderName = (await status()).leaders["kube-controller-manager"];
    const replicas = replicasOf(manifest!);
    const leader = replicas.find((c) => c.name === leaderName)!;
    const standby = replicas.find((c) => c.name !== leaderName)!;
    assert.ok(leader, `a replica leads: ${leaderName}`);
    const held = (await lease("kube-controller-manager"))!.spec!.holderIdentity!;
    const pid = readPidFile(leader.pidFile)!.pid;
    const killedAt = Date.now();
    process.kill(pid, "SIGKILL");
    await waitFor(`${leader.name} gone`, () => runningProcess(leader) === undefined, 10_000, 20);
    // From now on every request through the balancer gets an answer: it hands new connections to the live replica.
    const answers: (string | undefined)[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) answers.push(await apiGetText(kubeconfig, "/api/v1/namespaces/default/pods?limit=1", 10_000));
    })();
    let taken: Lease | undefined;
    await waitFor("another replica to hold kube-controller-manager", async () => {
      taken = await lease("kube-controller-manager");
      return !!taken?.spec?.holderIdentity && taken.spec.holderIdentity !== held;
    }, 60_000, 100);
    const tookOverMs = Date.parse(taken!.spec!.acquireTime!) - killedAt;
    const newLeader = taken!.spec!.holderIdentity!;
    await waitFor("the survivor to hold kube-scheduler too", async () => (await lease("kube-scheduler"))?.spec?.holderIdentity === newLeader, 60_000, 100);
    polling = false;
    await poller;
    process.stderr.write(`# control-plane takeover after kill -9: ${tookOverMs} ms (lease ${LEASE_MS} ms, retry ${RETRY_MS} ms); ${answers.length} requests through the balancer meanwhile\n`);
    // The standby waits out the lease on its own clock from the last renewal it saw (at most one retry before the
    // kill), then takes over at its next attempt (retry period plus client-go's jitter, 1.2 of it), twice at worst.
    assert.ok(tookOverMs >= LEASE_MS - RETRY_MS - 250, `took over ${tookOverMs} ms after the kill: before the lease of ${LEASE_MS} ms ran out`);
    assert.ok(tookOverMs <= LEASE_MS + 2 * 2.2 * RETRY_MS + 2000, `took over ${tookOverMs} ms after the kill (lease ${LEASE_MS} ms)`);
    assert.ok(answers.length > 0 && answers.every((a) => a !== undefined), `every request answered: ${answers.filter((a) => a === undefined).length} of ${answers.length} were not`);
    const after = await status();
    assert.deepEqual(after.controlPlanes.map((c) => [c.name, c.pid === null]), replicas.map((c) => [c.name, c.name === leader.name]));
    assert.deepEqual(after.leaders, { "kube-controller-manager": standby.name, "kube-scheduler": standby.name });
    assert.equal(after.healthy, false, "a replica is down");
    // The new leader's controllers and scheduler act: a Deployment made now gets a pod, bound and running.
    const made = await kubectl(["create", "deployment", "after-kill", "--image=busybox", "--", "sleep", "3600"]);
    assert.equal(made.code, 0, made.stderr);
    await waitFor("after-kill's pod Running", async () => (await pods("app=after-kill")).some((p) => p.status?.phase === "Running" && !!p.spec.nodeName), 90_000, 500);
    assert.equal((await kubectl(["delete", "deployment", "after-kill", "--wait=false"])).code, 0);
  });

  test("a node agent restarted keeps its pods", async () => {
    const node = manifest!.nodes[1];
    const before = (await pods("app=web")).filter((p) => p.spec.nodeName === node.name);
    assert.equal(before.length, 3);
    const agent = readPidFile(node.pidFile)!;
    process.kill(agent.pid, "SIGTERM");
    await waitFor(`${node.name}'s agent stopped`, () => runningProcess(node) === undefined, 30_000, 200);
    const readyLines = () => (readFileSync(node.logFile, "utf8").match(/nodelet node ready/g) ?? []).length;
    const seen = readyLines();
    startDetached(new HostRunner(), node, node.restartCommand);
    await waitFor(`${node.name}'s agent ready again`, () => readyLines() > seen, 90_000, 250);
    const after = (await pods("app=web")).filter((p) => p.spec.nodeName === node.name);
    assert.deepEqual(after.map((p) => p.metadata.uid).sort(), before.map((p) => p.metadata.uid).sort(), "the same pods");
    for (const p of after) {
      const was = before.find((b) => b.metadata.uid === p.metadata.uid)!;
      assert.equal(p.status?.containerStatuses?.[0].restartCount, was.status?.containerStatuses?.[0].restartCount, `${p.metadata.name} not restarted`);
      assert.equal(p.status?.containerStatuses?.[0].state?.running?.startedAt, was.status?.containerStatuses?.[0].state?.running?.startedAt);
    }
    await waitFor("the restarted agent re-adopted its pods", () => /re-adopted [1-9]\d* pods/.test(readFileSync(node.logFile, "utf8").split("nodelet node ready").pop() ?? ""), 60_000, 250);
  });

  test("a node cut off: Ready=Unknown after the grace period, tainted unreachable, its pods evicted and replaced; back, its stale pods leave the API and the host, and it is Ready again", async () => {
    const kubeconfig = join(root, "kubeconfig");
    const node = manifest!.nodes[2];
    const others = manifest!.nodes.filter((n) => n !== node).map((n) => n.name);
    const nodeObj = () => apiGet<Node>(kubeconfig, `/api/v1/nodes/${node.name}`);
    const ready = (n: Node | undefined) => n?.status?.conditions?.find((c) => c.type === "Ready");
    // Two pods on this node alone (the others cordoned while they are placed), tolerating its loss for 2 s.
    for (const o of others) assert.equal((await kubectl(["cordon", o])).code, 0);
    const cut = `apiVersion: apps/v1
kind: Deployment
metadata: {name: cut}
spec:
  replicas: 2
  selector: {matchLabels: {app: cut}}
  template:
    metadata: {labels: {app: cut}}
    spec:
      terminationGracePeriodSeconds: 1
      tolerations:
      - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 2}
      - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 2}
      containers:
      - {name: c, image: busybox, command: ["sleep", "3600"]}
`;
    try {
      assert.equal((await kubectl(["apply", "-f", "-"], cut)).code, 0);
      await waitFor("2 cut pods Running", async () => (await pods("app=cut")).filter((p) => p.status?.phase === "Running").length === 2, 90_000, 500);
    } finally {
      for (const o of others) await kubectl(["uncordon", o]);
    }
    const stale = await pods("app=cut");
    assert.deepEqual(stale.map((p) => p.spec.nodeName), [node.name, node.name]);
    const uids = stale.map((p) => p.metadata.uid!);
    const webBefore = (await pods("app=web")).filter((p) => p.spec.nodeName === node.name).map((p) => p.metadata.uid).sort();
    // A pod's veth is named after the sandbox it started in (a warm one's, often): its address lease says which.
    const leases = () => (JSON.parse(readFileSync(join(node.root, "network", "leases.json"), "utf8")) as { leases?: { podUid: string; veth: string }[] }).leases ?? [];
    const veths = new Map(leases().filter((l) => uids.includes(l.podUid)).map((l) => [l.podUid, l.veth]));
    const hostTraces = async (uid: string): Promise<string[]> => {
      const found: string[] = [];
      if (existsSync(join(node.root, "pods", uid))) found.push(`pod directory ${join(node.root, "pods", uid)}`);
      if (leases().some((l) => l.podUid === uid)) found.push(`address lease of ${uid}`);
      const veth = veths.get(uid);
      if (veth && (await sh(["ip", "-n", node.netns, "-o", "link", "show", veth])).code === 0) found.push(`veth ${veth}`);
      // The node's cgroup parent in every hierarchy (v1 controllers, or the v2 tree itself), searched a few levels down.
      const parents = ["", ...readdirSync("/sys/fs/cgroup")].map((h) => join("/sys/fs/cgroup", h, manifest!.cgroupRoot, node.name)).filter((d) => existsSync(d));
      const walk = (dir: string, depth: number): void => {
        for (const e of readdirSync(dir, { withFileTypes: true })) {
          if (!e.isDirectory()) continue;
          if (e.name.includes(uid)) found.push(`cgroup ${join(dir, e.name)}`);
          else if (depth > 0) walk(join(dir, e.name), depth - 1);
        }
      };
      for (const p of parents) walk(p, 3);
      // Its processes: a container's is in the pod's cgroup; a monitor names the pod's directory in its argv.
      for (const pid of readdirSync("/proc").filter((x) => /^\d+$/.test(x))) {
        try {
          if (readFileSync(`/proc/${pid}/cgroup`, "utf8").includes(uid) || readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(uid)) found.push(`process ${pid}`);
        } catch {
          // gone meanwhile
        }
      }
      return found;
    };
    for (const uid of uids) {
      const traces = await hostTraces(uid);
      for (const kind of ["pod directory", "address lease", "veth", "cgroup", "process"]) assert.ok(traces.some((t) => t.startsWith(kind)), `the running pod ${uid}'s ${kind} is seen on the host: ${traces.join(", ")}`);
    }

    const cutAt = Date.now();
    await sh(["ip", "link", "set", node.veth, "down"]);
    try {
      await waitFor(`${node.name} Ready=Unknown`, async () => ready(await nodeObj())?.status === "Unknown", GRACE_MS + 60_000, 250);
      const unknownAfterMs = Date.now() - cutAt;
      const n = (await nodeObj())!;
      const heartbeat = (await apiGet<Lease>(kubeconfig, `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${node.name}`))!.spec!.renewTime!;
      const silentMs = Date.parse(ready(n)!.lastTransitionTime!) - Date.parse(heartbeat);
      process.stderr.write(`# ${node.name} Ready=Unknown ${unknownAfterMs} ms after the cut, ${silentMs} ms after its last heartbeat (grace ${GRACE_MS} ms)\n`);
      assert.ok(silentMs >= GRACE_MS - 1000, `Unknown ${silentMs} ms after the last heartbeat: before the grace period of ${GRACE_MS} ms`);
      assert.ok(unknownAfterMs <= GRACE_MS + MONITOR_MS + 10_000, `Unknown ${unknownAfterMs} ms after the cut (grace ${GRACE_MS} ms)`);
      assert.equal(ready(n)!.reason, "NodeStatusUnknown");
      await waitFor("the unreachable NoExecute taint", async () => (((await nodeObj())?.spec?.taints ?? []) as Taint[]).some((t) => t.key === "node.kubernetes.io/unreachable" && t.effect === "NoExecute"), 30_000, 250);
      // Evicted after tolerationSeconds (Terminating: the kubelet that would confirm is away), replaced elsewhere.
      await waitFor("the cut pods evicted", async () => (await pods("app=cut")).filter((p) => uids.includes(p.metadata.uid!) && p.metadata.deletionTimestamp).length === 2, 60_000, 250);
      for (const p of (await pods("app=cut")).filter((x) => uids.includes(x.metadata.uid!))) {
        assert.equal(p.status?.conditions?.find((c) => c.type === "DisruptionTarget")?.reason, "DeletionByTaintManager");
      }
      await waitFor("2 replacements Running on the other nodes", async () => (await pods("app=cut")).filter((p) => !uids.includes(p.metadata.uid!) && p.status?.phase === "Running" && others.includes(p.spec.nodeName!)).length === 2, 90_000, 500);
      // Its web pods tolerate unreachable for the default 300 s: kept, not Ready.
      assert.deepEqual((await pods("app=web")).filter((p) => p.spec.nodeName === node.name && !p.metadata.deletionTimestamp).map((p) => p.metadata.uid).sort(), webBefore);
      // One stale pod is removed from the API outright, as an admin does for a node that is gone.
      assert.equal((await kubectl(["delete", "pod", stale[0].metadata.name!, "--force", "--grace-period=0"])).code, 0);
    } finally {
      await sh(["ip", "link", "set", node.veth, "up"]);
    }
    const backAt = Date.now();
    await waitFor(`${node.name} Ready again without the taints`, async () => {
      const n = await nodeObj();
      return ready(n)?.status === "True" && !((n?.spec?.taints ?? []) as Taint[]).some((t) => t.key === "node.kubernetes.io/unreachable" || t.key === "node.kubernetes.io/not-ready");
    }, 120_000, 250);
    await waitFor("the stale pods gone from the API", async () => (await pods("app=cut")).every((p) => !uids.includes(p.metadata.uid!)), 90_000, 250);
    let left: string[] = [];
    await waitFor("the stale pods gone from the host", async () => {
      left = (await Promise.all(uids.map(hostTraces))).flat();
      return left.length === 0;
    }, 90_000, 500);
    process.stderr.write(`# ${node.name} back: Ready and its stale pods removed ${Date.now() - backAt} ms after the link came up\n`);
    const webAfter = await pods("app=web");
    assert.deepEqual(webAfter.filter((p) => p.spec.nodeName === node.name).map((p) => p.metadata.uid).sort(), webBefore, "its tolerated pods kept");
    const podReady = (p: Pod) => p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
    await waitFor("its web pods Ready again", async () => (await pods("app=web")).filter((p) => p.spec.nodeName === node.name && podReady(p)).length === webBefore.length, 60_000, 500);
    assert.equal((await kubectl(["delete", "deployment", "cut", "--wait=false"])).code, 0);
  });

  test("cluster down leaves no namespace, link, route, rule, cgroup, mount, process or file", async () => {
    const m = manifest!;
    // The balancer's argv does not name the root: its own pid, read before down removes the pid file.
    const lb = readPidFile(m.lb!.pidFile);
    assert.ok(lb && isSameProcess(lb.pid, lb.startTime), "the balancer runs");
    const down = await nodelet(["cluster", "down", "--root", root]);
    assert.equal(down.code, 0, down.stderr);
    assert.equal(isSameProcess(lb.pid, lb.startTime), false, "the balancer stopped");
    const netns = (await sh(["ip", "netns", "list"])).stdout;
    for (const n of m.nodes) assert.doesNotMatch(netns, new RegExp(`^${n.netns}\\b`, "m"), `${n.netns} gone`);
    const links = (await sh(["ip", "-o", "link", "show"])).stdout;
    assert.doesNotMatch(links, new RegExp(`: ${m.link.bridge}[:@v]`), "the bridge and the nodes' veths gone");
    const prefix = `10.${octet}.0.`;
    assert.doesNotMatch((await sh(["ip", "-4", "route", "show", "table", "all"])).stdout, new RegExp(prefix.replace(/\./g, "\\.")), "no route to the link");
    assert.doesNotMatch((await sh(["ip", "-4", "rule", "show"])).stdout, new RegExp(prefix.replace(/\./g, "\\.")), "no rule for the link");
    for (const h of readdirSync("/sys/fs/cgroup")) assert.equal(existsSync(join("/sys/fs/cgroup", h, m.cgroupRoot)), false, `no ${m.cgroupRoot} in ${h}`);
    assert.equal(readFileSync("/proc/self/mountinfo", "utf8").includes(root), false, "no mount under the root");
    const procs = readdirSync("/proc").filter((p) => /^\d+$/.test(p)).filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, "utf8").includes(root);
      } catch {
        return false;
      }
    });
    assert.deepEqual(procs, [], "no process of the cluster");
    assert.equal(existsSync(root), false, "the root, etcd's data and the logs are gone");
    const again = await nodelet(["cluster", "down", "--root", root]);
    assert.equal(again.code, 0, "down is idempotent");
    assert.match(again.stdout, /nothing to remove/);
  });
});

describe("nodelet cluster down after `up` was killed half-way (privileged)", { skip }, () => {
  test("SIGKILL of up once its etcd runs: down removes the link, namespaces, processes and files", async () => {
    const parent = mkdtempSync(join(tmpdir(), "nodelet-cluster-crash-"));
    const root = join(parent, "cluster");
    const octet = freeOctets(232);
    try {
      const up = spawn(process.execPath, [NODELET, "cluster", "up", "--nodes", "2", "--root", root, "--link-cidr", `10.${octet}.0.0/24`], { stdio: "ignore" });
      const exited = new Promise<void>((resolve) => up.once("exit", () => resolve()));
      await waitFor("up started etcd", () => readPidFile(join(root, "run", "etcd1.pid")) !== undefined, 60_000, 50);
      up.kill("SIGKILL");
      await exited;
      const m = JSON.parse(readFileSync(manifestFile(root), "utf8")) as ClusterManifest;
      assert.equal(m.state, "planned");
      assert.ok(runningProcess(m.etcd[0]), "etcd outlived up");
      const down = await nodelet(["cluster", "down", "--root", root]);
      assert.equal(down.code, 0, down.stderr);
      assert.equal(runningProcess(m.etcd[0]), undefined, "etcd stopped");
      const netns = (await sh(["ip", "netns", "list"])).stdout;
      for (const n of m.nodes) assert.doesNotMatch(netns, new RegExp(`^${n.netns}\\b`, "m"));
      assert.doesNotMatch((await sh(["ip", "-o", "link", "show"])).stdout, new RegExp(`: ${m.link.bridge}[:@v]`));
      assert.equal(readFileSync("/proc/self/mountinfo", "utf8").includes(root), false);
      assert.equal(existsSync(root), false);
    } finally {
      if (existsSync(manifestFile(root))) await nodelet(["cluster", "down", "--root", root]);
      rmSync(parent, { recursive: true, force: true });
    }
  });
});
