/**
 * Static pods from the manifest directory with real containers (privileged): a file added starts its pod and the
 * API shows it as a mirror pod, an edit replaces it, a file that does not parse is reported and skipped while the
 * others run, a deleted mirror comes back without touching the containers, a daemon killed with -9 re-adopts the
 * static pod without restarting it, and removing the file stops the pod.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { unlinkSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import type { Event } from "../../src/api/types.js";
import { needsRoot } from "../helpers/root.js";
import { eventually, suiteDaemon } from "../helpers/daemon.js";

const skip = needsRoot();
const NODE = hostname().toLowerCase();

describe("static pods (privileged)", { skip }, () => {
  const d = suiteDaemon("static", ["--resync", "2"]);
  const manifests = join(d.root, "manifests");

  const get = (name: string) => d.pod(name);
  const manifest = (name: string, msg: string) =>
    `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  labels:\n    tier: static\nspec:\n  terminationGracePeriodSeconds: 2\n  containers:\n  - name: c\n    image: busybox\n    command: ["sh", "-c", "echo ${msg}; trap 'exit 0' TERM; while true; do sleep 0.2; done"]\n`;
  const running = (name: string) =>
    eventually(async () => {
      const p = await get(name);
      return p?.status?.containerStatuses?.[0]?.state.running && p;
    }, 20_000, `${name} running`);

  test("a file dropped in the directory starts its pod; the API shows it as a mirror pod", async () => {
    writeFileSync(join(manifests, "web.yaml"), manifest("web", "v1"));
    const p = await running(`web-${NODE}`);
    assert.ok(p.metadata.annotations!["kubernetes.io/config.mirror"], "a mirror pod");
    assert.equal(p.metadata.annotations!["kubernetes.io/config.source"], "file");
    assert.equal(p.metadata.annotations!["kubernetes.io/config.mirror"], p.metadata.annotations!["kubernetes.io/config.hash"]);
    assert.deepEqual(p.metadata.ownerReferences?.map((o) => [o.kind, o.name]), [["Node", NODE]]);
    assert.equal((await d.cli(["logs", `web-${NODE}`])).stdout, "v1\n");
    assert.match((await d.cli(["get", "pods", "-l", "tier=static"])).stdout, new RegExp(`web-${NODE}\\s+1/1\\s+Running`));
  });

  test("a file that does not parse is reported (event and log line); the other pods keep running", async () => {
    writeFileSync(join(manifests, "broken.yaml"), "apiVersion: v1\nkind: Pod\nmetadata: [oops\n");
    writeFileSync(join(manifests, "api.yaml"), manifest("api", "api"));
    await running(`api-${NODE}`);
    await eventually(async () => d.log.includes(`static pod manifest ${join(manifests, "broken.yaml")} skipped`), 10_000, "log line");
    const evs = (JSON.parse((await d.cli(["get", "events", "-o", "json"])).stdout) as { items: Event[] }).items;
    const ev = evs.find((e) => e.reason === "FailedStaticPodManifest");
    assert.ok(ev, "a Warning event on the node");
    assert.equal(ev.involvedObject.kind, "Node");
    assert.match(ev.message!, /broken\.yaml/);
    assert.ok((await get(`web-${NODE}`))?.status?.containerStatuses?.[0]?.state.running);
    unlinkSync(join(manifests, "broken.yaml"));
  });

  test("deleting the mirror pod through the API brings it back; the containers keep running", async () => {
    const before = (await get(`web-${NODE}`))!;
    const del = await d.cli(["delete", "pod", `web-${NODE}`]);
    assert.equal(del.code, 0, del.stderr);
    const again = await eventually(async () => {
      const p = await get(`web-${NODE}`);
      return p && p.metadata.uid !== before.metadata.uid && p.status?.containerStatuses?.[0]?.state.running && p;
    }, 20_000, "mirror back");
    assert.equal(again.status!.containerStatuses![0].containerID, before.status!.containerStatuses![0].containerID);
    assert.equal(again.status!.containerStatuses![0].restartCount, 0);
  });

  test("kill -9 of the daemon: the static pod is re-adopted, not restarted", async () => {
    const before = (await get(`web-${NODE}`))!;
    await d.kill9();
    await d.start();
    const after = await running(`web-${NODE}`);
    assert.equal(after.status!.containerStatuses![0].containerID, before.status!.containerStatuses![0].containerID);
    assert.equal(after.status!.containerStatuses![0].restartCount, 0);
  });

  test("editing a file replaces its pod; removing it stops the pod", async () => {
    const before = (await get(`web-${NODE}`))!;
    writeFileSync(join(manifests, "web.yaml"), manifest("web", "v2"));
    const after = await eventually(async () => {
      const p = await get(`web-${NODE}`);
      return p?.metadata.annotations?.["kubernetes.io/config.hash"] !== before.metadata.annotations!["kubernetes.io/config.hash"] && p?.status?.containerStatuses?.[0]?.state.running && p;
    }, 20_000, "new static pod running");
    assert.notEqual(after.status!.containerStatuses![0].containerID, before.status!.containerStatuses![0].containerID);
    assert.equal((await d.cli(["logs", `web-${NODE}`])).stdout, "v2\n");
    unlinkSync(join(manifests, "web.yaml"));
    unlinkSync(join(manifests, "api.yaml"));
    await eventually(async () => (await get(`web-${NODE}`)) === undefined && (await get(`api-${NODE}`)) === undefined, 20_000, "static pods gone");
    assert.equal((await d.cli(["get", "pods", "-o", "name"])).stdout, "");
  });
});
