/**
 * StatefulSet and DaemonSet with the real kubectl against one real daemon (privileged: real pods, volumes, DNS):
 * a 2-replica StatefulSet behind a headless Service with a volumeClaimTemplate starts web-0 then web-1, each pod
 * writes its own claim, a deleted web-0 comes back on the same claim with its data, another pod resolves
 * web-0.nginx.default.svc.cluster.local to web-0's IP, and `kubectl scale|rollout status|history|undo|describe`
 * work on it; a DaemonSet runs one pod on the node.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { suiteDaemon } from "../helpers/daemon.js";
import { needsCommand, needsRoot, skipUnless } from "../helpers/root.js";
import { waitFor } from "../helpers/wait.js";
import { freePort } from "../helpers/ports.js";

const skip = skipUnless(needsRoot(), needsCommand("kubectl"), needsCommand("mkfs.ext4"));

const STATEFULSET = (env: string, replicas: number) => `apiVersion: v1
kind: Service
metadata: {name: nginx}
spec:
  clusterIP: None
  selector: {app: web}
  ports: [{port: 80, name: web}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  replicas: ${replicas}
  serviceName: nginx
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: c
        image: busybox
        env: [{name: V, value: "${env}"}]
        command: ["sh", "-c", "[ -f /data/id ] || echo \\"$(hostname) $RANDOM$RANDOM\\" > /data/id; exec sleep 3600"]
        volumeMounts: [{name: www, mountPath: /data}]
  volumeClaimTemplates:
  - metadata: {name: www}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 16Mi}}
`;

const DAEMONSET = `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: c
        image: busybox
        command: ["sleep", "3600"]
`;

describe("StatefulSet and DaemonSet with kubectl (privileged)", { skip }, () => {
  let port = 0;
  let cache = "";
  before(async () => {
    port = await freePort();
    d.extraArgs.push("--listen", `127.0.0.1:${port}`);
    cache = mkdtempSync(join(tmpdir(), "nodelet-kubectl-cache-"));
  });
  const d = suiteDaemon("apps");
  after(() => rmSync(cache, { recursive: true, force: true }));

  const kubectl = (args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      const child = execFile("kubectl", ["--kubeconfig", join(d.root, "kubeconfig"), "--cache-dir", cache, ...args], { timeout: 90_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
      if (input !== undefined) child.stdin!.end(input);
    });
  const ok = async (args: string[], input?: string): Promise<string> => {
    const r = await kubectl(args, input);
    assert.equal(r.code, 0, `kubectl ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };
  const jp = async (args: string[], path: string) => (await kubectl([...args, "-o", `jsonpath=${path}`])).stdout.trim();
  const ready = (pod: string) => jp(["get", "pod", pod], '{.status.conditions[?(@.type=="Ready")].status}');

  test("StatefulSet: ordered start, stable claims and data, per-pod DNS, scale, rollout history and undo", async () => {
    await ok(["apply", "-f", "-"], STATEFULSET("1", 2));
    await waitFor("web-0 and web-1 ready", async () => (await ready("web-0")) === "True" && (await ready("web-1")) === "True", 120_000, 200);
    // OrderedReady: web-1 was created only once web-0 was Ready.
    const web0Ready = Date.parse(await jp(["get", "pod", "web-0"], '{.status.conditions[?(@.type=="Ready")].lastTransitionTime}'));
    const web1Created = Date.parse(await jp(["get", "pod", "web-1"], "{.metadata.creationTimestamp}"));
    assert.ok(web1Created >= web0Ready, `web-1 created ${web1Created} after web-0 ready ${web0Ready}`);
    assert.equal(await jp(["get", "pvc"], "{.items[*].metadata.name}"), "www-web-0 www-web-1");
    assert.equal(await jp(["get", "pod", "web-0"], "{.metadata.labels.statefulset\\.kubernetes\\.io/pod-name} {.metadata.labels.apps\\.kubernetes\\.io/pod-index}"), "web-0 0");
    assert.match(await ok(["get", "sts"]), /^NAME\s+READY\s+AGE\nweb\s+2\/2\s+\d+s\n$/);

    const id0 = (await ok(["exec", "web-0", "--", "cat", "/data/id"])).trim();
    const id1 = (await ok(["exec", "web-1", "--", "cat", "/data/id"])).trim();
    assert.match(id0, /^web-0 \d+$/);
    assert.match(id1, /^web-1 \d+$/);

    const uid = await jp(["get", "pod", "web-0"], "{.metadata.uid}");
    await ok(["delete", "pod", "web-0"]);
    await waitFor("web-0 recreated and ready", async () => (await jp(["get", "pod", "web-0"], "{.metadata.uid}")) !== uid && (await ready("web-0")) === "True", 90_000, 200);
    assert.equal(await jp(["get", "pod", "web-0"], "{.spec.volumes[0].persistentVolumeClaim.claimName}"), "www-web-0");
    assert.equal((await ok(["exec", "web-0", "--", "cat", "/data/id"])).trim(), id0, "the new web-0 sees the old web-0's data");

    const ip0 = await jp(["get", "pod", "web-0"], "{.status.podIP}");
    let lookup = "";
    await waitFor("web-0's DNS name resolves from web-1", async () => {
      lookup = (await kubectl(["exec", "web-1", "--", "nslookup", "web-0.nginx.default.svc.cluster.local"])).stdout;
      return lookup.includes(`Address: ${ip0}`);
    }, 30_000, 500);
    assert.match(lookup, new RegExp(`Name:\\s+web-0\\.nginx\\.default\\.svc\\.cluster\\.local\\s+Address: ${ip0.replace(/\./g, "\\.")}`));

    assert.match(await ok(["rollout", "status", "sts/web", "--timeout=60s"]), /partitioned roll out complete: 2 new pods have been updated|statefulset rolling update complete 2 pods at revision web-/);
    await ok(["scale", "sts", "web", "--replicas=1"]);
    await waitFor("web-1 gone", async () => (await kubectl(["get", "pod", "web-1"])).code !== 0, 60_000, 200);
    assert.equal(await jp(["get", "pvc"], "{.items[*].metadata.name}"), "www-web-0 www-web-1", "whenScaled: Retain keeps web-1's claim");

    await ok(["apply", "-f", "-"], STATEFULSET("2", 1));
    await ok(["rollout", "status", "sts/web", "--timeout=90s"]);
    assert.equal(await jp(["get", "pod", "web-0"], "{.spec.containers[0].env[0].value}"), "2");
    assert.match(await ok(["rollout", "history", "sts/web"]), /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
    await ok(["rollout", "undo", "sts/web"]);
    await waitFor("web-0 back on the first template", async () => (await jp(["get", "pod", "web-0"], "{.spec.containers[0].env[0].value}")) === "1" && (await ready("web-0")) === "True", 90_000, 200);
    assert.match(await ok(["rollout", "history", "sts/web"]), /\n2\s+<none>\n3\s+<none>/, "the undone-to revision is renumbered");
    const desc = await ok(["describe", "sts", "web"]);
    assert.match(desc, /Replicas:\s+1 desired \| 1 total/);
    assert.match(desc, /Volume Claims:\n\s+Name:\s+www/);
    const mine = await d.cli(["describe", "sts", "web"]);
    assert.match(mine.stdout, /Update Strategy:\s+RollingUpdate\n\s+Partition:\s+0/);
    assert.match(mine.stdout, /SuccessfulCreate\s+.*create Pod web-0 in StatefulSet web successful/);
  });

  test("DaemonSet: one pod on the node, status and columns", async () => {
    await ok(["apply", "-f", "-"], DAEMONSET);
    await waitFor("the daemon pod ready", async () => (await jp(["get", "ds", "agent"], "{.status.numberReady}")) === "1", 90_000, 200);
    assert.match(await ok(["get", "ds"]), /^NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE\nagent\s+1\s+1\s+1\s+1\s+1\s+<none>\s+\d+s\n$/);
    const pods = await jp(["get", "pods", "-l", "app=agent"], "{.items[*].spec.nodeName}");
    assert.equal(pods.split(" ").length, 1);
    await ok(["rollout", "status", "ds/agent", "--timeout=30s"]);
    assert.match(await ok(["rollout", "history", "ds/agent"]), /REVISION\s+CHANGE-CAUSE\n1\s+<none>/);
    assert.match((await d.cli(["describe", "ds", "agent"])).stdout, /Desired Number of Nodes Scheduled:\s+1\n/);
  });
});
