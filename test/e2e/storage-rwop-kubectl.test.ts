/**
 * ReadWriteOncePod with the real kubectl against a real daemon: a second pod on a claim with that mode stays Pending,
 * unscheduled, with the scheduler's FailedScheduling event and message (kubectl describe shows them, from
 * default-scheduler), and starts — Scheduled at last — once the first pod is deleted.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { needsCommand, needsRoot, skipUnless } from "../helpers/root.js";
import { eventually } from "../helpers/daemon.js";
import { kubectlDaemon } from "../helpers/kubectl-daemon.js";

const skip = skipUnless(needsRoot(), needsCommand("kubectl"), needsCommand("mkfs.ext4"));

const MESSAGE =
  "0/1 nodes are available: 1 node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.";

const CLAIM = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: solo\nspec:\n  accessModes: [ReadWriteOncePod]\n  resources:\n    requests:\n      storage: 16Mi\n";

const podYaml = (name: string) =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: c\n    image: busybox\n    command: ["sleep", "3600"]\n` +
  `    volumeMounts:\n    - name: data\n      mountPath: /data\n  volumes:\n  - name: data\n    persistentVolumeClaim:\n      claimName: solo\n`;

describe("ReadWriteOncePod with kubectl (privileged)", { skip }, () => {
  const { kubectl } = kubectlDaemon("rwop");
  const ok = async (args: string[], input?: string) => {
    const r = await kubectl(args, { input });
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };
  const jsonpath = (pod: string, path: string) => ok(["get", "pod", pod, "-o", `jsonpath=${path}`]);
  const events = (pod: string) => ok(["get", "events", "--field-selector", `involvedObject.name=${pod}`, "-o", "jsonpath={range .items[*]}{.type} {.reason} {.source.component}: {.message}{\"\\n\"}{end}"]);

  test("a second pod on the claim stays Pending with FailedScheduling until the first is deleted", async () => {
    await ok(["apply", "-f", "-"], CLAIM);
    await ok(["apply", "-f", "-"], podYaml("first"));
    await eventually(async () => (await jsonpath("first", "{.status.phase}")) === "Running", 60_000, "first Running");

    await ok(["apply", "-f", "-"], podYaml("second"));
    await eventually(async () => (await events("second")).includes(`Warning FailedScheduling default-scheduler: ${MESSAGE}`), 30_000, "second's FailedScheduling event");
    assert.equal(await jsonpath("second", "{.status.phase}"), "Pending");
    assert.equal(await jsonpath("second", '{.status.conditions[?(@.type=="PodScheduled")].status}'), "False");
    assert.equal(await jsonpath("second", '{.status.conditions[?(@.type=="PodScheduled")].reason}'), "Unschedulable");
    assert.equal(await jsonpath("second", '{.status.conditions[?(@.type=="PodScheduled")].message}'), MESSAGE);
    assert.doesNotMatch(await events("second"), /Scheduled default-scheduler: Successfully assigned/, "not Scheduled while it waits");
    assert.match(await ok(["get", "pod", "second"]), /^second\s+0\/1\s+Pending\s+0\s+\S+\n$/m);
    const described = await ok(["describe", "pod", "second"]);
    assert.match(described, /Warning\s+FailedScheduling\s+.+?\s+default-scheduler\s+0\/1 nodes are available: 1 node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode\./);

    await ok(["delete", "pod", "first"]);
    await eventually(async () => (await jsonpath("second", "{.status.phase}")) === "Running", 60_000, "second Running once first is gone");
    assert.equal(await jsonpath("second", '{.status.conditions[?(@.type=="PodScheduled")].status}'), "True");
    assert.match(await events("second"), /Normal Scheduled default-scheduler: Successfully assigned default\/second to \S+/);
    assert.equal(await ok(["exec", "second", "--", "sh", "-c", "touch /data/mine && echo ok"]), "ok\n", "the claim is mounted in the second pod");
  });
});
