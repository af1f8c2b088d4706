/**
 * `nodelet cluster up --nodes 3 --etcd-members 3` on this host, driven by real kubectl with DIR/kubeconfig — one
 * cluster for the whole file. The nodes joined by bootstrap token (their CSRs approved, the token deleted after),
 * workers all; a Deployment of 9 replicas spread by topologySpreadConstraints lands 3 on each node; from a client
 * pod on every node, a pod on another node answers by pod IP, and the Service by ClusterIP and by DNS name; a pod
 * asking for more CPU than any node has stays Pending with the scheduler's message; a WaitForFirstConsumer claim is
 * provisioned on the node the scheduler chose and grown there, its pods follow the volume (one pinned elsewhere:
 * volume node affinity conflict), that node reclaims it, and an Immediate claim is taken by one node; kill -9 of one
 * etcd member of three during 100 pod creations loses no write and the API keeps answering; a node agent restarted
 * keeps its pods; `cluster down` leaves no namespace, link, route, rule, cgroup, mount, process or file. Bad input
 * is refused before anything is made.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Event, Node, NodeSelectorTerm, PersistentVolume, PersistentVolumeClaim, Pod } from "../../src/api/types.js";
import { manifestFile, type ClusterManifest } from "../../src/cmd/cluster/plan.js";
import type { ClusterStatus } from "../../src/cmd/cluster/status.js";
import { readPidFile, runningProcess, startDetached } from "../../src/cmd/cluster/processes.js";
import { readKubeconfigEndpoint } from "../../src/store/remote-kubeconfig.js";
import { HostRunner } from "../../src/sys/runner.js";
import { NODELET } from "../helpers/daemon.js";
import { runKubectl, type KubectlRun } from "../helpers/kubectl-run.js";
import { sh } from "../helpers/netns.js";
import { needsCommand, needsRoot, skipUnless } from "../helpers/root.js";
import { freeOctets } from "../helpers/subnets.js";
import { waitFor } from "../helpers/wait.js";

const skip = skipUnless(needsRoot(), needsCommand("kubectl"), needsCommand("etcd"));

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
    const up = await nodelet(["cluster", "up", "--nodes", "3", "--etcd-members", "3", "--root", root, "--link-cidr", linkCIDR]);
    assert.equal(up.code, 0, `cluster up: ${up.stderr}`);
    manifest = JSON.parse(readFileSync(manifestFile(root), "utf8")) as ClusterManifest;
  });

  after(async () => {
    // The last test takes the cluster down and checks it; this is for a run that failed before it.
    if (existsSync(manifestFile(root))) await nodelet(["cluster", "down", "--root", root]);
    rmSync(parent, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  });

  test("bad input changes nothing: --nodes 0, a root in use, no etcd on PATH", async () => {
    const other = join(parent, "other");
    const [zero, inUse, noEtcd] = await Promise.all([
      nodelet(["cluster", "up", "--nodes", "0", "--root", other]),
      nodelet(["cluster", "up", "--nodes", "1", "--root", root]),
      nodelet(["cluster", "up", "--nodes", "1", "--root", other], { ...process.env, PATH: "/nonexistent" }),
    ]);
    assert.equal(zero.code, 1);
    assert.match(zero.stderr, /--nodes: 0 must be a whole number from 1 to 64/);
    assert.equal(inUse.code, 1);
    assert.match(inUse.stderr, new RegExp(`--root: ${root} is in use by a cluster`));
    assert.equal(noEtcd.code, 1);
    assert.match(noEtcd.stderr, /etcd: not found on PATH/);
    assert.equal(existsSync(other), false, "nothing made for a refused up");
  });

  test("status: three healthy members, a healthy control plane, three Ready workers joined by token", async () => {
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
    assert.match(table.stdout, /control-plane\s+control-plane\s+\d+\s+https:\/\/\S+\s+Healthy/);
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

  test("cluster down leaves no namespace, link, route, rule, cgroup, mount, process or file", async () => {
    const m = manifest!;
    const down = await nodelet(["cluster", "down", "--root", root]);
    assert.equal(down.code, 0, down.stderr);
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
