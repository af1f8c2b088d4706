/**
 * The certificate manager's schedule on a fake clock (auth/certificate-rotation.ts): the deadline at a jittered
 * 70–90 % of the whole life from NotBefore (backdating included), the retries after a failed rotation (2, 4, 8, 16 s
 * with up to 10 % jitter, then every 32 s), the next deadline from the new certificate after a success, nothing
 * after stop(), deadlines months away (past Node's longest timer), who asks for a client certificate's renewal
 * (the node while its certificate is valid, the bootstrap token once it has expired), and a --kubeconfig
 * certificate's expiry logged with what to do (it is the operator's: not rotated).
 */
import assert from "node:assert/strict";
import { setImmediate as turn } from "node:timers/promises";
import { describe, it } from "node:test";
import { CertificateRotation, retryDelay, rotationDeadline, type Validity } from "../../../src/auth/certificate-rotation.js";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureNodePki } from "../../../src/auth/pki.js";
import { renewalCredentials, startClientCertificateRotation } from "../../../src/cmd/client-certificate-wiring.js";
import type { RemoteStore } from "../../../src/store/remote-store.js";
import { FakeClock } from "../../../src/sys/clock.js";
import { HostRunner } from "../../../src/sys/runner.js";
import { needsCommand } from "../../helpers/root.js";

const T0 = Date.parse("2026-12-08T00:00:00Z");
const S = 1000;

/** Lets the rotation's promise callbacks run. */
const settle = async () => {
  for (let i = 0; i < 5; i++) await turn();
};

describe("certificate rotation schedule", () => {
  it("renews at 70–90 % of the whole life, counted from NotBefore", () => {
    // A 1-hour certificate backdated 5 minutes (the signer's rule): 65 minutes in all.
    const notBefore = T0 - 300 * S;
    const notAfter = T0 + 3600 * S;
    assert.equal(rotationDeadline(notBefore, notAfter, 0), notBefore + 2730 * S, "70 %");
    assert.equal(rotationDeadline(notBefore, notAfter, 0.5), notBefore + 3120 * S, "80 %");
    assert.equal(rotationDeadline(notBefore, notAfter, 0.999999), notBefore + 3509_999, "just under 90 %");
  });

  it("retries after 2, 4, 8 and 16 s (plus up to 10 %), then every 32 s", () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6, 20].map((n) => retryDelay(n, 0)), [2 * S, 4 * S, 8 * S, 16 * S, 32 * S, 32 * S, 32 * S]);
    assert.deepEqual([1, 4, 5].map((n) => retryDelay(n, 0.5)), [2100, 16800, 32 * S]);
  });

  it("rotates at the deadline, retries failures with backoff, then waits for the new certificate's deadline", async () => {
    const clock = new FakeClock(T0);
    let current: Validity = { notBefore: T0 - 300 * S, notAfter: T0 + 700 * S }; // 1000 s in all
    const attempts: number[] = [];
    let failures = 2;
    const logs: string[] = [];
    const rotation = new CertificateRotation({
      name: "client certificate",
      clock,
      random: () => 0.5,
      current: () => current,
      rotate: async () => {
        attempts.push((clock.now() - T0) / S);
        if (failures-- > 0) throw new Error("the control plane is away");
        current = { notBefore: clock.now() - 300 * S, notAfter: clock.now() + 700 * S };
      },
      log: (m) => logs.push(m),
    });
    rotation.start();
    try {
      assert.equal(rotation.deadline(), T0 + 500 * S, "80 % of 1000 s after NotBefore");
      clock.advance(500 * S - 1);
      await settle();
      assert.deepEqual(attempts, []);
      clock.advance(1);
      await settle();
      assert.deepEqual(attempts, [500]);
      clock.advance(2100);
      await settle();
      assert.deepEqual(attempts, [500, 502.1]);
      clock.advance(4200);
      await settle();
      assert.deepEqual(attempts, [500, 502.1, 506.3], "the third attempt succeeds");
      assert.ok(logs.some((l) => /^client certificate: rotation failed \(attempt 1; again in 2 s\): the control plane is away$/.test(l)), logs.join("\n"));
      // The new certificate (from 206.3 s to 1206.3 s) is due at 80 % of its life: 1006.3 s.
      clock.advance(499 * S);
      await settle();
      assert.equal(attempts.length, 3);
      clock.advance(1000);
      await settle();
      assert.deepEqual(attempts, [500, 502.1, 506.3, 1006.3]);
    } finally {
      await rotation.stop();
    }
    clock.advance(3600 * S);
    await settle();
    assert.equal(attempts.length, 4, "nothing after stop()");
  });

  it("a certificate that cannot be read is renewed at once; one due in a year waits past Node's longest timer", async () => {
    const clock = new FakeClock(T0);
    let current: Validity | undefined;
    let rotations = 0;
    const rotation = new CertificateRotation({
      name: "serving",
      clock,
      random: () => 0,
      current: () => current,
      rotate: async () => {
        rotations++;
        current = { notBefore: clock.now(), notAfter: clock.now() + 365 * 86_400 * S };
      },
      log: () => undefined,
    });
    rotation.start();
    try {
      clock.advance(0);
      await settle();
      assert.equal(rotations, 1);
      // 70 % of a year: about 255.5 days, ten times the 24.8 days a single timer can wait.
      clock.advance(255 * 86_400 * S);
      await settle();
      assert.equal(rotations, 1);
      clock.advance(86_400 * S);
      await settle();
      assert.equal(rotations, 2);
    } finally {
      await rotation.stop();
    }
  });

  it("a client certificate's renewal is asked by the node while it is valid, by the bootstrap token once it is not", () => {
    const v = { notBefore: T0, notAfter: T0 + 3600 * S };
    assert.equal(renewalCredentials(v, T0 + 3599 * S), "self");
    assert.deepEqual(renewalCredentials(v, T0 + 3600 * S), { why: "expired at 2026-12-08T01:00:00.000Z" });
    assert.deepEqual(renewalCredentials(undefined, T0), { why: "unreadable" });
  });

  it("a --kubeconfig certificate is not rotated: its expiry is logged, saying what to do", { skip: needsCommand("openssl") }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "nodelet-expiry-"));
    try {
      const pki = await ensureNodePki(join(dir, "pki"), [], new HostRunner());
      const notAfter = Date.parse(new X509Certificate(pki.admin.cert).validTo);
      const clock = new FakeClock(Date.now());
      const logs: string[] = [];
      // No bootstrap credentials: the store is never asked for anything.
      const wiring = startClientCertificateRotation({ store: {} as RemoteStore, endpoint: { server: "https://cp:6443", ca: pki.ca.cert, cert: pki.admin.cert, key: pki.admin.key }, nodeName: "n1", kubeconfig: "/etc/node.conf", clock, log: (m) => logs.push(m) });
      clock.advance(notAfter - clock.now() - 1);
      assert.deepEqual(logs, []);
      clock.advance(1);
      assert.equal(logs.length, 1);
      assert.match(logs[0], /^error: the client certificate in \/etc\/node\.conf expired at \S+Z: the control plane refuses this node's requests from now on\. It was given with --kubeconfig, so the node has no bootstrap token to renew it: give it a new kubeconfig, or join it with --server and --token/);
      await wiring.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
