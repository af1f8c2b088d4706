/**
 * Real kubectl against a real daemon (not a fake node): apply, get, describe, logs, exec, delete — the whole path
 * from kubectl through the HTTPS listener to containers made by the shim.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { needsCommand, needsRoot, skipUnless } from "../helpers/root.js";
import { eventually } from "../helpers/daemon.js";
import { kubectlDaemon } from "../helpers/kubectl-daemon.js";

const skip = skipUnless(needsRoot(), needsCommand("kubectl"));

describe("kubectl against a real daemon (privileged)", { skip }, () => {
  const { d, kubectl: run } = kubectlDaemon("kubectl");
  const kubectl = (args: string[], input?: string) => run(args, { input });

  test("apply, get, describe, logs, exec, delete", async () => {
    const file = join(d.root, "web.yaml");
    writeFileSync(
      file,
      "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels:\n    app: web\nspec:\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: c\n    image: busybox\n    command: [\"sh\", \"-c\", \"echo started; exec sleep 3600\"]\n",
    );
    const applied = await kubectl(["apply", "-f", file]);
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, /pod\/web created/);
    await eventually(async () => (await kubectl(["get", "pod", "web", "-o", "jsonpath={.status.phase}"])).stdout === "Running", 20_000, "web Running");
    const wide = await kubectl(["get", "pods", "-o", "wide"]);
    assert.match(wide.stdout, new RegExp(`^web\\s+1/1\\s+Running\\s+0\\s+\\S+\\s+10\\.${d.octet}\\.0\\.\\d+\\s+\\S+`, "m"));
    assert.match((await kubectl(["describe", "pod", "web"])).stdout, /Events:[\s\S]*Started/);
    assert.equal((await kubectl(["logs", "web"])).stdout, "started\n");
    const exec = await kubectl(["exec", "web", "--", "sh", "-c", "hostname; exit 3"]);
    assert.equal(exec.code, 3);
    assert.equal(exec.stdout, "web\n");
    const stdin = await kubectl(["exec", "-i", "web", "--", "cat"], "through kubectl\n");
    assert.equal(stdin.stdout, "through kubectl\n");
    const del = await kubectl(["delete", "pod", "web"]);
    assert.equal(del.code, 0, del.stderr);
    assert.match(del.stdout, /pod "web" deleted/);
    assert.equal((await kubectl(["get", "pods", "-o", "name"])).stdout, "");
  });

  test("delete --grace-period=2 ends a container that ignores SIGTERM in about 2 s, not the default 30", async () => {
    const file = join(d.root, "stubborn.yaml");
    writeFileSync(
      file,
      "apiVersion: v1\nkind: Pod\nmetadata:\n  name: stubborn\nspec:\n  containers:\n  - name: c\n    image: busybox\n    command: [\"sh\", \"-c\", \"trap '' TERM; echo ready; while true; do sleep 0.1; done\"]\n",
    );
    assert.equal((await kubectl(["apply", "-f", file])).code, 0);
    await eventually(async () => (await kubectl(["get", "pod", "stubborn", "-o", "jsonpath={.status.phase}"])).stdout === "Running", 20_000, "stubborn Running");
    await eventually(async () => (await kubectl(["logs", "stubborn"])).stdout === "ready\n", 20_000, "the trap set");
    assert.equal((await kubectl(["get", "pod", "stubborn", "-o", "jsonpath={.spec.terminationGracePeriodSeconds}"])).stdout, "30", "the default grace period");
    const started = Date.now();
    const del = await kubectl(["delete", "pod", "stubborn", "--grace-period=2"]);
    const took = (Date.now() - started) / 1000;
    assert.equal(del.code, 0, del.stderr);
    assert.match(del.stdout, /pod "stubborn" deleted/);
    // SIGTERM is ignored, so only the SIGKILL at the end of the 2 s ends it; the 30 s default would take 30.
    assert.ok(took >= 1.5 && took < 15, `kubectl delete --grace-period=2 returned after ${took.toFixed(1)} s`);
    assert.equal((await kubectl(["get", "pods", "-o", "name"])).stdout, "");
  });
});
