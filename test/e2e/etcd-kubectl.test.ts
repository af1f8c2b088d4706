/**
 * The daemon on `--etcd-servers` (one etcd member of the test's own, on loopback) driven by real kubectl: a pod is
 * created, runs, is watched and deleted, with its object in etcd under kube-apiserver's key and its resourceVersion
 * the key's mod_revision; then the daemon restarts on the same etcd and finds its objects and its running pod as it
 * left them (no SQLite store file is ever made).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Pod } from "../../src/api/types.js";
import { EtcdSync } from "../../src/store/etcd-sync.js";
import { eventually } from "../helpers/daemon.js";
import { startEtcd, type TestEtcd } from "../helpers/etcd.js";
import { kubectlDaemon } from "../helpers/kubectl-daemon.js";
import { needsCommand, needsRoot, skipUnless } from "../helpers/root.js";

const skip = skipUnless(needsRoot(), needsCommand("kubectl"), needsCommand("etcd"));

const podYaml = (name: string) =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: c\n    image: busybox\n    command: ["sh", "-c", "echo up; exec sleep 3600"]\n`;

describe("the daemon on etcd, driven by kubectl (privileged)", { skip }, () => {
  let etcd: TestEtcd | undefined;
  let raw: EtcdSync | undefined;
  const { d, kubectl } = kubectlDaemon("etcd", [], {
    async beforeStart(daemon) {
      etcd = await startEtcd();
      raw = new EtcdSync([etcd.endpoint], 10_000, () => undefined);
      daemon.extraArgs.push("--etcd-servers", etcd.endpoint);
    },
    async afterStop() {
      raw?.close();
      await etcd?.stop();
    },
  });
  const phase = async (name: string) => (await kubectl(["get", "pod", name, "-o", "jsonpath={.status.phase}"])).stdout;

  test("create, get, watch and delete a pod that runs; the object lives in etcd under /registry/pods/", async () => {
    const file = join(d.root, "web.yaml");
    writeFileSync(file, podYaml("web"));
    // A watch from now on, as `kubectl get -w` keeps one open.
    const cache = mkdtempSync(join(tmpdir(), "nodelet-kubectl-watch-"));
    const watch = spawn("kubectl", ["--kubeconfig", join(d.root, "kubeconfig"), "--cache-dir", cache, "get", "pods", "--watch-only", "--output-watch-events", "-o", "jsonpath={.type} {.object.metadata.name} {.object.metadata.resourceVersion}{\"\\n\"}"]);
    let seen = "";
    watch.stdout.on("data", (b: Buffer) => (seen += b.toString()));
    watch.stderr.on("data", (b: Buffer) => (seen += b.toString()));
    try {
      // kubectl has its watch open once it has listed (nothing printed with --watch-only): give it a moment to.
      await eventually(async () => (await kubectl(["get", "pods", "-o", "name"])).code === 0, 10_000, "the API answers");
      const applied = await kubectl(["apply", "-f", file]);
      assert.equal(applied.code, 0, applied.stderr);
      await eventually(async () => (await phase("web")) === "Running", 60_000, "web Running");
      assert.equal((await kubectl(["logs", "web"])).stdout, "up\n");
      const pod = JSON.parse((await kubectl(["get", "pod", "web", "-o", "json"])).stdout) as Pod;
      const kv = raw!.range("/registry/pods/default/web").kvs[0];
      assert.ok(kv, "the pod is in etcd under kube-apiserver's key");
      assert.equal(String(kv.modRevision), pod.metadata.resourceVersion, "resourceVersion is the key's mod_revision");
      // A stale resourceVersion is refused as kube-apiserver refuses it.
      const stale = { ...pod, metadata: { ...pod.metadata, resourceVersion: String(Number(pod.metadata.resourceVersion) - 1), labels: { x: "y" } } };
      const replaced = await kubectl(["replace", "-f", "-"], { input: JSON.stringify(stale) });
      assert.notEqual(replaced.code, 0);
      assert.match(replaced.stderr, /Operation cannot be fulfilled on pods "web": the object has been modified; please apply your changes to the latest version and try again/);
      const del = await kubectl(["delete", "pod", "web"]);
      assert.equal(del.code, 0, del.stderr);
      assert.equal((await kubectl(["get", "pods", "-o", "name"])).stdout, "");
      assert.equal(raw!.range("/registry/pods/default/web").kvs.length, 0);
      await eventually(async () => /^DELETED web /m.test(seen) || undefined, 20_000, `kubectl's watch to see the delete (saw: ${seen})`);
      const lines = seen.trim().split("\n").filter((l) => / web /.test(l));
      assert.match(lines[0], /^ADDED web \d+$/);
      assert.ok(lines.some((l) => l.startsWith("MODIFIED web ")), seen);
      const revs = lines.map((l) => Number(l.split(" ")[2]));
      assert.deepEqual(revs, [...revs].sort((a, b) => a - b), "events in revision order");
    } finally {
      watch.kill();
      rmSync(cache, { recursive: true, force: true });
    }
  });

  test("a restarted daemon keeps its state: objects and a running pod as they were", async () => {
    const file = join(d.root, "keeper.yaml");
    writeFileSync(file, podYaml("keeper"));
    assert.equal((await kubectl(["apply", "-f", file])).code, 0);
    assert.equal((await kubectl(["create", "configmap", "settings", "--from-literal=k=v"])).code, 0);
    await eventually(async () => (await phase("keeper")) === "Running", 60_000, "keeper Running");
    const before = JSON.parse((await kubectl(["get", "pod", "keeper", "-o", "json"])).stdout) as Pod;
    const cmBefore = (await kubectl(["get", "configmap", "settings", "-o", "jsonpath={.metadata.uid} {.metadata.resourceVersion} {.data.k}"])).stdout;

    await d.terminate();
    await d.start();

    const cmAfter = (await kubectl(["get", "configmap", "settings", "-o", "jsonpath={.metadata.uid} {.metadata.resourceVersion} {.data.k}"])).stdout;
    assert.equal(cmAfter, cmBefore);
    const after = JSON.parse((await kubectl(["get", "pod", "keeper", "-o", "json"])).stdout) as Pod;
    assert.equal(after.metadata.uid, before.metadata.uid);
    assert.equal(after.status?.phase, "Running");
    assert.equal(after.status?.containerStatuses?.[0].containerID, before.status?.containerStatuses?.[0].containerID, "the container was not restarted");
    assert.equal(existsSync(join(d.root, "store.db")), false, "no SQLite store beside etcd");
    assert.equal((await kubectl(["delete", "pod", "keeper"])).code, 0);
  });
});
