/**
 * Two `nodelet control-plane` replicas on one etcd (the test's own member), elected through the
 * kube-system/kube-controller-manager Lease with short settable timings (lease 4 s, renew deadline 3 s, retry
 * 0.5 s): exactly one holds it and acts (a ReplicaSet created through the standby gets its pods once); the remote
 * store (the node's Store over the API) keeps the API's words for conflicts, pages a list, and watches in order
 * (its 410 relist is unit-tested: test/unit/store/remote-watch.test.ts); a
 * leader stopped with SIGTERM releases the Lease and the standby leads at its next attempts; a watch on a replica
 * that went away resumes from its last resourceVersion when it is back; a leader killed with SIGKILL is replaced
 * once the lease duration has passed. No root needed: no pod runs.
 */
import { after, before, describe, test } from "node:test";
import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import assert from "node:assert/strict";
import type { Lease } from "../../src/api/lease.js";
import type { ConfigMap, KubeObject, Pod, WatchEvent } from "../../src/api/types.js";
import { ApiError } from "../../src/api/errors.js";
import { readKubeconfigEndpoint } from "../../src/store/remote-kubeconfig.js";
import { RemoteStore } from "../../src/store/remote-store.js";
import { startEtcd, type TestEtcd } from "../helpers/etcd.js";
import { freePorts } from "../helpers/ports.js";
import { removeRoot, startTestControlPlane, type TestControlPlane } from "../helpers/roles.js";
import { needsCommand, skipUnless } from "../helpers/root.js";
import { waitFor } from "../helpers/wait.js";

const skip = skipUnless(needsCommand("etcd"), needsCommand("openssl"));
const ELECTION = ["--leader-elect-lease-duration", "4s", "--leader-elect-renew-deadline", "3s", "--leader-elect-retry-period", "500ms"];
const LEASE_MS = 4000;

const identityOf = (cp: TestControlPlane) => /leader election: (\S+) is a candidate/.exec(cp.output())?.[1] ?? "";
const cm = (name: string, data: Record<string, string> = {}): ConfigMap => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "default" }, data });

function rejects(reason: string, message: string | RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof ApiError, `expected ApiError ${reason}, got ${String(err)}`);
    assert.equal(err.reason, reason, err.message);
    if (typeof message === "string") assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  };
}

describe("control-plane replicas on one etcd: leader election, the remote store", { skip }, () => {
  let etcd: TestEtcd | undefined;
  const cps: TestControlPlane[] = [];
  const stores: RemoteStore[] = [];
  let ports: number[] = [];
  const storeOf = (cp: TestControlPlane) => {
    const s = new RemoteStore({ endpoint: readKubeconfigEndpoint(cp.kubeconfig), rewatchDelayMs: 100 });
    stores.push(s);
    return s;
  };
  const holder = (s: RemoteStore) => s.get<Lease>("Lease", "kube-system", "kube-controller-manager")?.spec?.holderIdentity;

  before(async () => {
    etcd = await startEtcd();
    ports = await freePorts(2);
    cps.push(await startTestControlPlane(ports[0], ["--etcd-servers", etcd.endpoint, ...ELECTION]));
    // Replicas share one PKI (CA, serving certificate, ServiceAccount key), as on real machines (README, Roles).
    const root = mkdtempSync(join(tmpdir(), "nodelet-cp-"));
    cpSync(join(cps[0].root, "pki"), join(root, "pki"), { recursive: true });
    cps.push(await startTestControlPlane(ports[1], ["--etcd-servers", etcd.endpoint, ...ELECTION], root));
  });

  after(async () => {
    for (const s of stores) s.close();
    for (const cp of cps) {
      await cp.stop();
      removeRoot(cp.root);
    }
    await etcd?.stop();
  });

  test("exactly one replica holds the Lease and acts: a ReplicaSet made through the standby gets its pods once", async () => {
    const [a, b] = cps;
    const s = storeOf(a);
    const ids = [identityOf(a), identityOf(b)];
    assert.ok(ids.every(Boolean), `no candidate identity logged:\n${a.output()}\n${b.output()}`);
    const leaderId = holder(s)!;
    assert.ok(ids.includes(leaderId), `holder ${leaderId} is neither candidate`);
    const leader = cps[ids.indexOf(leaderId)];
    const standby = cps[1 - ids.indexOf(leaderId)];
    assert.match(leader.output(), /successfully acquired lease kube-system\/kube-controller-manager/);
    assert.doesNotMatch(standby.output(), /successfully acquired lease/);
    assert.doesNotMatch(standby.output(), /controllers: replicaset-controller/);
    const lease = s.get<Lease>("Lease", "kube-system", "kube-controller-manager")!;
    assert.equal(lease.spec?.leaseDurationSeconds, 4);
    assert.equal(lease.spec?.leaseTransitions, 0);
    const viaStandby = storeOf(standby);
    viaStandby.create({
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: { name: "web", namespace: "default" },
      spec: { replicas: 2, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "busybox" }] } } },
    } as KubeObject);
    const pods = () => s.list<Pod>("Pod", { namespace: "default", labelSelector: "app=web" }).items;
    await waitFor("the leader's ReplicaSet controller to create 2 pods", () => pods().length === 2, 30_000, 100);
    // Unbound: the control plane binds no pod (no node in this test; binding is the scheduler's).
    assert.deepEqual(pods().map((p) => p.spec.nodeName ?? ""), ["", ""]);
    // Only one controller acts: no third pod appears.
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(pods().length, 2);
  });

  test("the remote store: the API's words for conflicts and preconditions, pages, ordered watches and replays", async () => {
    const s = storeOf(cps[0]);
    const made = s.create(cm("rs-a", { n: "1" }));
    assert.equal(made.kind, "ConfigMap");
    assert.match(made.metadata.uid!, /^[0-9a-f-]{36}$/);
    assert.deepEqual(s.get<ConfigMap>("ConfigMap", "default", "rs-a")?.data, { n: "1" });
    assert.equal(s.get("ConfigMap", "default", "missing"), undefined);
    assert.throws(() => s.create(cm("rs-a")), rejects("AlreadyExists", 'configmaps "rs-a" already exists'));
    const v2 = s.update({ ...made, data: { n: "2" } }, { resourceVersion: made.metadata.resourceVersion });
    assert.ok(Number(v2.metadata.resourceVersion) > Number(made.metadata.resourceVersion));
    assert.throws(
      () => s.update({ ...made, data: { n: "3" } }, { resourceVersion: made.metadata.resourceVersion }),
      rejects("Conflict", 'Operation cannot be fulfilled on configmaps "rs-a": the object has been modified; please apply your changes to the latest version and try again'),
    );
    // Without a resourceVersion an update is unconditional, as the store's.
    assert.equal(s.update({ ...made, data: { n: "4" } }).data?.n, "4");
    assert.throws(() => s.delete("ConfigMap", "default", "rs-a", { uid: "other" }), rejects("Conflict", /Precondition failed: UID in precondition: other/));
    const events: WatchEvent[] = [];
    const stop = s.watch("ConfigMap", { namespace: "default" }, (e) => e.object.metadata.name?.startsWith("rs-") && events.push(e));
    for (let i = 0; i < 5; i++) s.create(cm(`rs-page-${i}`));
    const page1 = s.list("ConfigMap", { namespace: "default", limit: 2 });
    assert.equal(page1.items.length, 2);
    assert.ok(page1.continue);
    const rest = s.list("ConfigMap", { namespace: "default", continue: page1.continue });
    assert.ok(rest.items.length >= 4);
    assert.equal(rest.resourceVersion, page1.resourceVersion);
    s.delete("ConfigMap", "default", "rs-a", { uid: made.metadata.uid });
    await waitFor("the watch to see 5 creates and the delete", () => events.length >= 6, 10_000);
    assert.deepEqual(
      events.map((e) => `${e.type} ${e.object.metadata.name}`),
      [...[0, 1, 2, 3, 4].map((i) => `ADDED rs-page-${i}`), "DELETED rs-a"],
    );
    const rvs = events.map((e) => Number(e.object.metadata.resourceVersion));
    assert.deepEqual(rvs, [...rvs].sort((x, y) => x - y), "in resourceVersion order");
    stop();
    // A watch from an old resourceVersion the API still holds replays every change after it, in order.
    const replayed: WatchEvent[] = [];
    const stop2 = s.watch("ConfigMap", { namespace: "default", resourceVersion: made.metadata.resourceVersion }, (e) => e.object.metadata.name?.startsWith("rs-") && replayed.push(e));
    await waitFor("the replay", () => replayed.length >= 8, 10_000);
    assert.deepEqual(
      replayed.slice(0, 8).map((e) => `${e.type} ${e.object.metadata.name}`),
      ["MODIFIED rs-a", "MODIFIED rs-a", ...[0, 1, 2, 3, 4].map((i) => `ADDED rs-page-${i}`), "DELETED rs-a"],
    );
    stop2();
  });

  test("a leader stopped with SIGTERM releases the Lease: the standby leads within the lease duration; a watch on the stopped replica resumes when it is back", async () => {
    const probe = storeOf(cps[0]);
    const leaderId = holder(probe)!;
    const i = cps.findIndex((cp) => identityOf(cp) === leaderId);
    const leader = cps[i];
    const standby = cps[1 - i];
    const viaStandby = storeOf(standby);
    const viaLeader = storeOf(leader);
    const events: WatchEvent[] = [];
    const stop = viaLeader.watch("ConfigMap", { namespace: "default", labelSelector: "resume=yes" }, (e) => events.push(e));
    viaLeader.create({ ...cm("resume-0"), metadata: { ...cm("resume-0").metadata, labels: { resume: "yes" } } });
    await waitFor("the first event", () => events.length === 1, 10_000);
    const began = Date.now();
    await leader.stop("SIGTERM");
    assert.match(leader.output(), /released lease kube-system\/kube-controller-manager/);
    await waitFor("the standby to lead", () => holder(viaStandby) === identityOf(standby), 3 * LEASE_MS, 50);
    const tookOver = Date.now() - began;
    assert.ok(tookOver < LEASE_MS, `the standby led ${tookOver} ms after the leader stopped (lease ${LEASE_MS} ms)`);
    process.stderr.write(`# takeover after SIGTERM (release): ${tookOver} ms\n`);
    // Changes while the watched replica is away, through the other one.
    for (let n = 1; n <= 3; n++) viaStandby.create({ ...cm(`resume-${n}`), metadata: { ...cm(`resume-${n}`).metadata, labels: { resume: "yes" } } });
    const again = await startTestControlPlane(ports[i], ["--etcd-servers", etcd!.endpoint, ...ELECTION], leader.root);
    cps[i] = again;
    await waitFor("the resumed watch to see the 3 changes made while away", () => events.length >= 4, 20_000, 50);
    assert.deepEqual(events.map((e) => `${e.type} ${e.object.metadata.name}`), ["ADDED resume-0", "ADDED resume-1", "ADDED resume-2", "ADDED resume-3"]);
    stop();
    assert.equal(holder(viaStandby), identityOf(standby), "the returning replica is a standby");
    assert.equal(viaStandby.get<Lease>("Lease", "kube-system", "kube-controller-manager")?.spec?.leaseTransitions, 1);
  });

  test("a leader killed with SIGKILL (no release) is replaced once the lease duration has passed", async () => {
    const probe = storeOf(cps[0]);
    const leaderId = holder(probe)!;
    const i = cps.findIndex((cp) => identityOf(cp) === leaderId);
    const standby = cps[1 - i];
    const viaStandby = storeOf(standby);
    const began = Date.now();
    await cps[i].stop("SIGKILL");
    await waitFor("the standby to lead", () => holder(viaStandby) === identityOf(standby), 6 * LEASE_MS, 50);
    const tookOver = Date.now() - began;
    process.stderr.write(`# takeover after SIGKILL: ${tookOver} ms (lease ${LEASE_MS} ms)\n`);
    // Not before the lease has expired on the standby's clock; within it plus two attempts and the machine's slack.
    assert.ok(tookOver >= LEASE_MS - 1000, `took over after ${tookOver} ms: before the lease expired`);
    assert.ok(tookOver < 3 * LEASE_MS, `took over after ${tookOver} ms`);
    assert.equal(viaStandby.get<Lease>("Lease", "kube-system", "kube-controller-manager")?.spec?.leaseTransitions, 2);
  });
});
