/**
 * Leader election over a Lease with client-go's semantics, on a fake clock: the pure decision (create, wait while
 * another holds an unexpired record, take over after leaseDuration of no change on the candidate's own clock, renew
 * keeping acquireTime and leaseTransitions, a transition counted on takeover), the timing checks in client-go's
 * words, and electors over one store: exactly one of three leads, a stopped leader releases and a standby leads at
 * its next attempt, a leader whose writes fail stops leading after renewDeadline, a killed leader (no release) is
 * replaced within leaseDuration plus two attempts.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { microTime, type Lease } from "../../../src/api/lease.js";
import { decide, DEFAULT_TIMING, validateTiming, type ElectionTiming } from "../../../src/controllers/leader/decision.js";
import { LeaderElector } from "../../../src/controllers/leader/elector.js";
import { openStore } from "../../../src/store/sqlite-store.js";
import type { Store } from "../../../src/store/store.js";
import { FakeClock } from "../../../src/sys/clock.js";

const T: ElectionTiming = DEFAULT_TIMING;
const T0 = 1_700_000_000_000;

function lease(spec: Lease["spec"], rv = "7"): Lease {
  return { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: "kube-controller-manager", namespace: "kube-system", resourceVersion: rv }, spec };
}

test("decision: no Lease → create holding it, transitions 0, acquire = renew = now, duration 15 s", () => {
  const d = decide(undefined, undefined, T0, "a", T);
  assert.equal(d.action, "create");
  assert.deepEqual(d.spec, { holderIdentity: "a", leaseDurationSeconds: 15, acquireTime: microTime(T0), renewTime: microTime(T0), leaseTransitions: 0 });
});

test("decision: another's record waits until leaseDuration has passed since this candidate saw it change, whatever its renewTime says", () => {
  // The holder's clock is an hour behind: its renewTime alone would look long expired.
  const held = lease({ holderIdentity: "a", leaseDurationSeconds: 15, acquireTime: microTime(T0 - 3_600_000), renewTime: microTime(T0 - 3_600_000), leaseTransitions: 2 });
  const first = decide(held, undefined, T0, "b", T);
  assert.equal(first.action, "wait");
  const later = decide(held, first.observed, T0 + 14_999, "b", T);
  assert.equal(later.action, "wait");
  // The holder renewed (the record changed): the count starts again.
  const renewed = lease({ ...held.spec, renewTime: microTime(T0) }, "8");
  const again = decide(renewed, later.observed, T0 + 14_999, "b", T);
  assert.equal(again.action, "wait");
  assert.equal(decide(renewed, again.observed, T0 + 14_999 + 14_999, "b", T).action, "wait");
  const over = decide(renewed, again.observed, T0 + 14_999 + 15_000, "b", T);
  assert.equal(over.action, "update");
  if (over.action !== "update") return;
  assert.equal(over.renew, false);
  assert.equal(over.resourceVersion, "8");
  assert.deepEqual(over.spec, { holderIdentity: "b", leaseDurationSeconds: 15, acquireTime: microTime(T0 + 29_999), renewTime: microTime(T0 + 29_999), leaseTransitions: 3 });
});

test("decision: the holder renews keeping acquireTime and leaseTransitions; an empty holder is free at once", () => {
  const mine = lease({ holderIdentity: "a", leaseDurationSeconds: 15, acquireTime: microTime(T0), renewTime: microTime(T0), leaseTransitions: 4 });
  const d = decide(mine, undefined, T0 + 2000, "a", T);
  assert.equal(d.action, "update");
  if (d.action !== "update") return;
  assert.equal(d.renew, true);
  assert.deepEqual(d.spec, { holderIdentity: "a", leaseDurationSeconds: 15, acquireTime: microTime(T0), renewTime: microTime(T0 + 2000), leaseTransitions: 4 });
  const released = lease({ holderIdentity: "", leaseDurationSeconds: 1, acquireTime: microTime(T0), renewTime: microTime(T0), leaseTransitions: 4 });
  const take = decide(released, undefined, T0 + 1, "b", T);
  assert.equal(take.action, "update");
  assert.equal(take.action === "update" && take.spec.leaseTransitions, 5);
});

test("timing: client-go's checks", () => {
  validateTiming(T);
  assert.throws(() => validateTiming({ leaseDurationMs: 10_000, renewDeadlineMs: 10_000, retryPeriodMs: 2000 }), /leaseDuration must be greater than renewDeadline/);
  assert.throws(() => validateTiming({ leaseDurationMs: 15_000, renewDeadlineMs: 2400, retryPeriodMs: 2000 }), /renewDeadline must be greater than retryPeriod\*JitterFactor/);
});

interface Candidate {
  id: string;
  elector: LeaderElector;
  leading: boolean;
  starts: number;
}

function candidates(store: Store, clock: FakeClock, ids: string[], timing = T): Candidate[] {
  return ids.map((id) => {
    const c: Candidate = { id, leading: false, starts: 0, elector: undefined as unknown as LeaderElector };
    c.elector = new LeaderElector({
      store,
      clock,
      namespace: "kube-system",
      name: "kube-controller-manager",
      identity: id,
      timing,
      random: () => 0.5,
      onStartedLeading: () => {
        c.leading = true;
        c.starts++;
      },
      onStoppedLeading: () => {
        c.leading = false;
      },
    });
    return c;
  });
}

const leaders = (cs: Candidate[]) => cs.filter((c) => c.leading).map((c) => c.id);
const held = (store: Store) => store.get<Lease>("Lease", "kube-system", "kube-controller-manager")?.spec;

test("electors: of three over one store exactly one leads at every step; it renews every retryPeriod", () => {
  const store = openStore(":memory:");
  const clock = new FakeClock(T0);
  const cs = candidates(store, clock, ["a", "b", "c"]);
  for (const c of cs) c.elector.start();
  assert.deepEqual(leaders(cs), ["a"]);
  for (let i = 0; i < 60; i++) {
    clock.advance(500);
    assert.deepEqual(leaders(cs), ["a"], `at ${i * 500} ms`);
  }
  const spec = held(store)!;
  assert.equal(spec.holderIdentity, "a");
  assert.equal(spec.leaseTransitions, 0);
  assert.equal(spec.acquireTime, microTime(T0));
  // Renewed at the last multiple of 2 s.
  assert.equal(spec.renewTime, microTime(T0 + 30_000));
  assert.equal(cs[1].elector.leader, "a");
  store.close();
});

test("electors: a stopped leader releases the Lease; a standby leads at its next attempt, transitions counted", async () => {
  const store = openStore(":memory:");
  const clock = new FakeClock(T0);
  const cs = candidates(store, clock, ["a", "b"]);
  for (const c of cs) c.elector.start();
  clock.advance(5000);
  await cs[0].elector.stop();
  assert.equal(cs[0].leading, false);
  assert.equal(held(store)!.holderIdentity, "");
  // b's next attempt: retryPeriod plus jitter (0.5 × 1.2 × 2 s) after its last one.
  clock.advance(2000 + 1200);
  assert.deepEqual(leaders(cs), ["b"]);
  assert.equal(held(store)!.leaseTransitions, 1);
  store.close();
});

test("electors: a leader that dies without releasing is replaced within leaseDuration plus two attempts", () => {
  const store = openStore(":memory:");
  const clock = new FakeClock(T0);
  const cs = candidates(store, clock, ["a", "b"]);
  for (const c of cs) c.elector.start();
  clock.advance(4000);
  // kill -9: a's timers never fire again, nothing is released.
  const killedAt = clock.now();
  (cs[0].elector as unknown as { stopped: boolean }).stopped = true;
  cs[0].leading = false;
  let tookOver: number | undefined;
  for (let t = 0; t < 30_000 && tookOver === undefined; t += 100) {
    clock.advance(100);
    if (cs[1].leading) tookOver = clock.now() - killedAt;
  }
  assert.ok(tookOver !== undefined, "b never took over");
  // b saw a's last renewal at most one attempt (3.2 s here) after it was written, expiry is 15 s after that, and b
  // notices it at its next attempt: between 15 s and 15 s plus two attempts.
  assert.ok(tookOver >= 15_000 && tookOver <= 15_000 + 2 * 3200, `took over after ${tookOver} ms`);
  assert.equal(held(store)!.holderIdentity, "b");
  assert.equal(held(store)!.leaseTransitions, 1);
  store.close();
});

test("electors: a leader whose renewals fail stops leading after renewDeadline, and leads again when the store answers", async () => {
  const inner = openStore(":memory:");
  let failing = false;
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      if (failing && (prop === "get" || prop === "update" || prop === "create")) return () => { throw new Error("connection refused"); };
      const v: unknown = Reflect.get(target, prop, receiver);
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  const clock = new FakeClock(T0);
  const [a] = candidates(store, clock, ["a"]);
  a.elector.start();
  assert.equal(a.leading, true);
  failing = true;
  clock.advance(2000 + 8000);
  assert.equal(a.leading, true, "still within the renew deadline");
  clock.advance(2000);
  // Stepping down awaits onStoppedLeading.
  await Promise.resolve();
  assert.equal(a.leading, false);
  failing = false;
  clock.advance(5000);
  await Promise.resolve();
  assert.equal(a.leading, true);
  assert.equal(a.starts, 2);
  inner.close();
});
