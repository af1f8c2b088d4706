/**
 * Priority and scheduling on a `nodelet control-plane` (SQLite, no node agent), driven by real kubectl:
 * - PriorityClass as kubectl sees it: the built-in classes listed, `kubectl create priorityclass` and describe,
 *   upstream's refusals (a user value above 1e9, a `system-` name, a second globalDefault, a changed value, deleting
 *   a built-in class), and the Priority admission plugin (a pod's priority from its class, an unknown class refused);
 * - a pod no node takes: Pending with FailedScheduling in the scheduler's words, the preemption verdicts included;
 * - preemption: a pod of a higher class evicts the least important pod that makes room (DisruptionTarget,
 *   graceful deletion, the Preempted event), is nominated to the node, and is bound there once the victim is gone.
 * Nodes here are Node objects created through the API with a capacity (no kubelet runs: the test finishes a victim's
 * deletion as its kubelet would); the scheduler sees them as it sees any node. Root is not needed.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Event, Pod } from "../../src/api/types.js";
import { runKubectl, type KubectlRun } from "../helpers/kubectl-run.js";
import { freePort } from "../helpers/ports.js";
import { removeRoot, startTestControlPlane, type TestControlPlane } from "../helpers/roles.js";
import { needsCommand, skipUnless } from "../helpers/root.js";
import { waitFor } from "../helpers/wait.js";

const skip = skipUnless(needsCommand("kubectl"), needsCommand("openssl"));

const podYaml = (name: string, extra = "", cpu?: string) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
${extra}  containers:
  - name: c
    image: busybox:1.36
${cpu ? `    resources:\n      requests:\n        cpu: "${cpu}"\n` : ""}`;

/** A Node as a kubelet would register it: capacity, Ready; no agent behind it. */
const nodeYaml = (name: string, cpu: string, labels: Record<string, string>) => `apiVersion: v1
kind: Node
metadata:
  name: ${name}
  labels:
    kubernetes.io/hostname: ${name}
${Object.entries(labels).map(([k, v]) => `    ${k}: ${v}\n`).join("")}status:
  capacity: { cpu: "${cpu}", memory: 8Gi, pods: "110" }
  conditions:
  - { type: Ready, status: "True", reason: KubeletReady, message: kubelet is posting ready status }
`;

describe("priority classes and scheduling on a control plane, driven by kubectl", { skip }, () => {
  let cp: TestControlPlane | undefined;
  let home = "";
  const kubectl = (args: string[], input?: string): Promise<KubectlRun> => runKubectl({ kubeconfig: cp!.kubeconfig, cacheDir: join(home, "cache"), home }, args, input, 60_000);
  const ok = async (args: string[], input?: string): Promise<string> => {
    const r = await kubectl(args, input);
    assert.equal(r.code, 0, `kubectl ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };
  const fails = async (args: string[], input?: string): Promise<string> => {
    const r = await kubectl(args, input);
    assert.notEqual(r.code, 0, `kubectl ${args.join(" ")} succeeded: ${r.stdout}`);
    return r.stderr.trim();
  };
  const pod = async (name: string) => JSON.parse(await ok(["get", "pod", name, "-o", "json"])) as Pod;

  before(async () => {
    home = mkdtempSync(join(tmpdir(), "nodelet-scheduling-kubectl-"));
    cp = await startTestControlPlane(await freePort(), ["--node-monitor-grace-period", "1h"]);
  });

  after(async () => {
    await cp?.stop();
    if (cp) removeRoot(cp.root);
    rmSync(home, { recursive: true, force: true });
  });

  test("PriorityClass: built-in classes, create and describe, upstream's refusals, a pod's priority from its class", async () => {
    const builtIns = await ok(["get", "priorityclasses", "--no-headers", "-o", "custom-columns=NAME:.metadata.name,VALUE:.value,DEFAULT:.globalDefault,POLICY:.preemptionPolicy"]);
    assert.deepEqual(builtIns.trim().split("\n").map((l) => l.split(/\s+/)), [
      // globalDefault is omitempty upstream: false is not written.
      ["system-cluster-critical", "2000000000", "<none>", "PreemptLowerPriority"],
      ["system-node-critical", "2000001000", "<none>", "PreemptLowerPriority"],
    ]);
    assert.match(await ok(["get", "pc"]), /^NAME\s+VALUE\s+GLOBAL-DEFAULT\s+AGE\s+PREEMPTIONPOLICY\nsystem-cluster-critical\s+2000000000\s+false\s+\S+\s+PreemptLowerPriority\n/);

    assert.equal(await ok(["create", "priorityclass", "high", "--value=1000", "--description=serving pods"]), "priorityclass.scheduling.k8s.io/high created\n");
    await ok(["create", "priorityclass", "batch", "--value=10", "--global-default=true", "--preemption-policy=Never"]);
    const described = await ok(["describe", "priorityclass", "high"]);
    assert.match(described, /^Name:\s+high\nValue:\s+1000\nGlobalDefault:\s+false\nPreemptionPolicy:\s+PreemptLowerPriority\nDescription:\s+serving pods\n/);

    // kubectl create priorityclass words the server's refusal as "error: failed to create priorityclass: …".
    assert.equal(
      await fails(["create", "priorityclass", "huge", "--value=1000000001"]),
      'error: failed to create priorityclass: PriorityClass "huge" is invalid: value: Forbidden: maximum allowed value of a user defined priority is 1000000000',
    );
    assert.equal(
      await fails(["create", "priorityclass", "system-mine", "--value=5"]),
      "error: failed to create priorityclass: PriorityClass \"system-mine\" is invalid: metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class",
    );
    assert.equal(
      await fails(["create", "priorityclass", "another", "--value=5", "--global-default=true"]),
      'error: failed to create priorityclass: priorityclasses.scheduling.k8s.io "another" is forbidden: PriorityClass batch is already marked as default. Only one default can exist',
    );
    assert.equal(
      await fails(["patch", "priorityclass", "high", "--type=merge", "-p", '{"value":5}']),
      'The PriorityClass "high" is invalid: value: Forbidden: may not be changed in an update.',
    );
    assert.equal(
      await fails(["delete", "priorityclass", "system-node-critical"]),
      'Error from server (Forbidden): priorityclasses.scheduling.k8s.io "system-node-critical" is forbidden: this is a system priority class and cannot be deleted',
    );

    // Priority admission: the class's value and policy; the global default (batch) for a pod that names none.
    await ok(["apply", "-f", "-"], podYaml("served", "  priorityClassName: high\n"));
    const served = await pod("served");
    assert.deepEqual([served.spec.priority, served.spec.preemptionPolicy], [1000, "PreemptLowerPriority"]);
    await ok(["apply", "-f", "-"], podYaml("plain"));
    const plain = await pod("plain");
    assert.deepEqual([plain.spec.priorityClassName, plain.spec.priority, plain.spec.preemptionPolicy], ["batch", 10, "Never"]);
    assert.equal(
      await fails(["apply", "-f", "-"], podYaml("lost", "  priorityClassName: nope\n")),
      'Error from server (Forbidden): error when creating "STDIN": pods "lost" is forbidden: no PriorityClass with name nope was found',
    );
    // Without a default class, a pod without one gets 0.
    await ok(["delete", "priorityclass", "batch"]);
    await ok(["apply", "-f", "-"], podYaml("zero"));
    assert.equal((await pod("zero")).spec.priority, 0);
    await ok(["delete", "pod", "served", "plain", "zero", "--wait=false"]);
  });

  const events = async (name: string) => {
    const list = JSON.parse(await ok(["get", "events", "--field-selector", `involvedObject.name=${name}`, "-o", "json"])) as { items: Event[] };
    return list.items.map((e) => `${e.reason}: ${e.message}`);
  };

  test("a pod no node takes stays Pending with FailedScheduling in the scheduler's words", async () => {
    await ok(["create", "-f", "-"], nodeYaml("fake-small", "1", { zone: "a" }) + "---\n" + nodeYaml("fake-b1", "4", { zone: "b" }) + "---\n" + nodeYaml("fake-b2", "4", { zone: "b" }));
    await ok(["apply", "-f", "-"], podYaml("big", "  nodeSelector:\n    zone: a\n", "2"));
    const message =
      "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.";
    await waitFor("big's FailedScheduling", async () => (await events("big")).includes(`FailedScheduling: ${message}`), 30_000, 200);
    const big = await pod("big");
    const cond = big.status?.conditions?.find((c) => c.type === "PodScheduled");
    assert.deepEqual([big.status?.phase, big.spec.nodeName, cond?.status, cond?.reason, cond?.message], ["Pending", undefined, "False", "Unschedulable", message]);
    assert.match(await ok(["describe", "pod", "big"]), /Warning\s+FailedScheduling\s+.+?\s+default-scheduler\s+0\/3 nodes are available: 1 Insufficient cpu, 2 node\(s\) didn't match Pod's node affinity\/selector\. preemption: 0\/3/);
    await ok(["delete", "pod", "big"]);
  });

  test("preemption: a higher class evicts the least important pod that makes room, and is bound after it goes", async () => {
    await ok(["create", "-f", "-"], nodeYaml("fake-pre", "2", { pool: "pre" }));
    await ok(["create", "priorityclass", "low", "--value=10"]);
    await ok(["create", "priorityclass", "mid", "--value=20"]);
    const inPool = (cls: string) => `  priorityClassName: ${cls}\n  nodeSelector:\n    pool: pre\n`;
    await ok(["apply", "-f", "-"], podYaml("low-a", inPool("low"), "1") + "---\n" + podYaml("low-b", inPool("mid"), "1"));
    await waitFor("low-a and low-b bound", async () => (await ok(["get", "pods", "low-a", "low-b", "-o", "jsonpath={.items[*].spec.nodeName}"])) === "fake-pre fake-pre", 30_000, 200);

    await ok(["apply", "-f", "-"], podYaml("vip", inPool("high"), "1"));
    await waitFor("vip nominated", async () => (await ok(["get", "pod", "vip", "-o", "jsonpath={.status.nominatedNodeName}"])) === "fake-pre", 30_000, 200);
    const vip = await pod("vip");
    const victim = await pod("low-a");
    assert.ok(victim.metadata.deletionTimestamp, "the victim is terminating (graceful: its kubelet would stop it)");
    const target = victim.status?.conditions?.find((c) => c.type === "DisruptionTarget");
    assert.deepEqual([target?.status, target?.reason, target?.message], ["True", "PreemptionByScheduler", "default-scheduler: preempting to accommodate a higher priority pod"]);
    assert.equal((await pod("low-b")).metadata.deletionTimestamp, undefined, "the more important low pod stays");
    await waitFor("the Preempted event", async () => (await events("low-a")).includes(`Preempted: Preempted by pod ${vip.metadata.uid} on node fake-pre`), 30_000, 200);
    assert.ok(
      (await events("vip")).includes("FailedScheduling: 0/4 nodes are available: 1 Insufficient cpu, 3 node(s) didn't match Pod's node affinity/selector."),
      "a preemption that found victims adds no preemption verdict",
    );
    assert.match(await ok(["get", "pod", "vip", "-o", "wide"]), /\nvip\s+0\/1\s+Pending\s+0\s+\S+\s+<none>\s+<none>\s+fake-pre\s+<none>\n/);

    // The node has no kubelet: finish the victim's deletion as its kubelet would, and the pod takes the room.
    await ok(["delete", "pod", "low-a", "--force", "--grace-period=0"]);
    await waitFor("vip bound to fake-pre", async () => (await ok(["get", "pod", "vip", "-o", "jsonpath={.spec.nodeName}"])) === "fake-pre", 30_000, 200);
    await ok(["delete", "pod", "low-b", "vip", "--force", "--grace-period=0"]);
  });
});
