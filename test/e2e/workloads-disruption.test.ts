/**
 * PodDisruptionBudgets and evictions with the real kubectl (in-process API, controllers and a fake kubelet, no
 * daemon): `kubectl apply` of a budget, `kubectl get pdb` columns, and `kubectl drain NODE --ignore-daemonsets
 * --delete-emptydir-data` over a 2-replica Deployment with maxUnavailable 1: one pod is evicted at once, the other
 * is refused with 429 until the first one's replacement is ready (drain retries), then the node is drained.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, before, describe, test } from "node:test";
import type { PodDisruptionBudget } from "../../src/api/policy-types.js";
import type { Node, Pod } from "../../src/api/types.js";
import { needsCommand, skipUnless } from "../helpers/root.js";
import { waitFor } from "../helpers/wait.js";
import { startWorkloadsEnv, type WorkloadsEnv } from "./workloads-kubectl-harness.js";

const skip = skipUnless(needsCommand("kubectl"));

describe("PodDisruptionBudget and drain with real kubectl", { skip }, () => {
  let env: WorkloadsEnv;
  /** While set, pods not named here stay Pending: the drained pods' replacements are not ready yet. */
  let holdAllBut: Set<string> | undefined;
  before(async () => {
    env = await startWorkloadsEnv({ hold: (p) => !!holdAllBut && !holdAllBut.has(p.metadata.name ?? "") });
    env.t.store.create<Node>({ apiVersion: "v1", kind: "Node", metadata: { name: "node1" }, spec: {}, status: {} });
  });
  after(async () => {
    await env?.close();
  });

  const webPods = () => env.t.store.list<Pod>("Pod", { namespace: "default", labelSelector: "app=web" }).items;
  const ready = (p: Pod) => !p.metadata.deletionTimestamp && (p.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
  const pdb = () => env.t.store.get<PodDisruptionBudget>("PodDisruptionBudget", "default", "web");

  test("kubectl get pdb shows the budget the controller computed", async () => {
    await env.ok(["create", "deployment", "web", "--image=nginx", "--replicas=2"]);
    await waitFor("2 ready web pods", () => webPods().filter(ready).length === 2, 20_000);
    // `kubectl create pdb` sends protobuf, which the decoder does not know for this kind yet: apply sends JSON.
    const manifest = "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web}\nspec:\n  maxUnavailable: 1\n  selector: {matchLabels: {app: web}}\n";
    await env.ok(["apply", "-f", env.file("pdb.yaml", manifest)]);
    await waitFor("the budget's status", () => pdb()?.status?.expectedPods === 2 && pdb()?.status?.disruptionsAllowed === 1, 20_000);
    const out = await env.ok(["get", "pdb", "web"]);
    const [head, row] = out.trim().split("\n");
    assert.deepEqual(head.split(/\s{2,}/), ["NAME", "MIN AVAILABLE", "MAX UNAVAILABLE", "ALLOWED DISRUPTIONS", "AGE"]);
    assert.deepEqual(row.split(/\s+/).slice(0, 4), ["web", "N/A", "1", "1"]);
    const c = pdb()!.status!.conditions!.find((x) => x.type === "DisruptionAllowed");
    assert.equal(c?.status, "True");
    assert.equal(c?.reason, "SufficientPods");
  });

  test("kubectl drain evicts within the budget, retrying the refused eviction until the replacement is ready", async () => {
    const before = new Set(webPods().map((p) => p.metadata.name ?? ""));
    holdAllBut = before;
    let out = "";
    const child = spawn("kubectl", ["--kubeconfig", `${env.dir}/kubeconfig`, "--cache-dir", `${env.dir}/cache`, "drain", "node1", "--ignore-daemonsets", "--delete-emptydir-data", "--timeout=60s"], {
      env: { PATH: process.env.PATH, HOME: env.dir },
    });
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    const timer = setTimeout(() => child.kill("SIGKILL"), 90_000);
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    try {
      // One eviction spends the budget; the other is refused while the first pod's replacement is not ready.
      await waitFor("a refused eviction", () => out.includes("(will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget."), 30_000);
      assert.equal(webPods().filter((p) => before.has(p.metadata.name ?? "")).length, 1, out);
      holdAllBut = undefined;
      env.kubelet.kick();
    } finally {
      holdAllBut = undefined;
    }
    const run = { code: await exited, out };
    clearTimeout(timer);
    assert.equal(run.code, 0, run.out);
    assert.match(run.out, /node\/node1 cordoned/);
    assert.match(run.out, /will retry after 5s\): Cannot evict pod as it would violate the pod's disruption budget\./);
    assert.match(run.out, /node\/node1 drained/);
    assert.equal(env.t.store.get<Node>("Node", "", "node1")?.spec?.unschedulable, true);
    for (const name of before) assert.equal(webPods().find((p) => p.metadata.name === name), undefined, `${String(name)} was evicted`);
  });
});
