/**
 * The csrcleaner's and tokencleaner's criteria (pure: the deadline of each request or token Secret), then both as
 * controllers over the in-process API and a fake clock: nothing is deleted before its moment, each is deleted at it,
 * and what no criterion covers (a token without expiration, a token Secret outside kube-system) stays.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { X509Certificate } from "node:crypto";
import { bootstrapTokenSecret } from "../../../src/api/bootstrap-token.js";
import type { CertificateSigningRequest, CsrCondition } from "../../../src/api/certificates.js";
import type { Secret } from "../../../src/api/types.js";
import { csrCleaner, csrCleanupDeadline } from "../../../src/controllers/cleanup/csr-cleaner.js";
import { bootstrapTokenCleaner, tokenCleanupDeadline } from "../../../src/controllers/cleanup/token-cleaner.js";
import { startControllers } from "./workloads-harness.js";

const T0 = Date.parse("2026-12-01T00:00:00Z");
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

function csr(name: string, status?: CertificateSigningRequest["status"], created = T0): CertificateSigningRequest {
  return {
    apiVersion: "certificates.k8s.io/v1",
    kind: "CertificateSigningRequest",
    metadata: { name, creationTimestamp: iso(created) },
    spec: { request: "", signerName: "kubernetes.io/kube-apiserver-client-kubelet", usages: ["client auth"] },
    status,
  };
}
const cond = (type: CsrCondition["type"], at?: number): CsrCondition => ({ type, status: "True", ...(at === undefined ? {} : { lastUpdateTime: iso(at) }) });

const dir = mkdtempSync(join(tmpdir(), "cleaners-"));
after(() => rmSync(dir, { recursive: true, force: true }));
/** A self-signed certificate valid for a day, base64 as status.certificate holds it. */
function dayCertificate(): { b64: string; notAfter: number } {
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", join(dir, "k"), "-out", join(dir, "c"), "-days", "1", "-subj", "/CN=x"], { stdio: "ignore" });
  const pem = readFileSync(join(dir, "c"));
  return { b64: pem.toString("base64"), notAfter: Date.parse(new X509Certificate(pem).validTo) };
}

describe("csrcleaner criteria", () => {
  it("pending a day, approved and issued an hour, denied or failed an hour, issued and expired", () => {
    assert.deepEqual(csrCleanupDeadline(csr("p")), { at: T0 + 24 * HOUR, reason: "as it is more than 24h0m0s old and unhandled" });
    assert.equal(csrCleanupDeadline(csr("a", { conditions: [cond("Approved", T0 + 5000)] })), undefined, "approved, not issued: kept");
    assert.deepEqual(csrCleanupDeadline(csr("i", { conditions: [cond("Approved", T0 + 5000)], certificate: "eA==" })), { at: T0 + 5000 + HOUR, reason: "as it is more than 1h0m0s old and approved" });
    assert.deepEqual(csrCleanupDeadline(csr("d", { conditions: [cond("Denied", T0 + 7000)] })), { at: T0 + 7000 + HOUR, reason: "as it is more than 1h0m0s old and denied" });
    assert.deepEqual(csrCleanupDeadline(csr("f", { conditions: [cond("Approved", T0), cond("Failed", T0 + 9000)] })), { at: T0 + 9000 + HOUR, reason: "as it is more than 1h0m0s old and failed" });
    assert.equal(csrCleanupDeadline(csr("n", { conditions: [cond("Denied")] })), undefined, "a condition without a time is never old (upstream's zero time)");
    const cert = dayCertificate();
    assert.deepEqual(csrCleanupDeadline(csr("e", { conditions: [cond("Approved")], certificate: cert.b64 })), { at: cert.notAfter, reason: "as the associated certificate is expired" });
    assert.equal(csrCleanupDeadline(csr("e2", { conditions: [cond("Approved", cert.notAfter + HOUR)], certificate: cert.b64 }))?.at, cert.notAfter, "the earliest criterion wins");
  });
});

describe("tokencleaner criteria", () => {
  it("an expiration is the deadline, an unparsable one is already past, none is never", () => {
    const s = bootstrapTokenSecret({ token: "abcdef.0123456789abcdef", ttlMs: HOUR, now: T0 });
    assert.deepEqual(tokenCleanupDeadline(s), { at: T0 + HOUR, reason: "as it expired" });
    assert.equal(tokenCleanupDeadline(bootstrapTokenSecret({ token: "abcdef.0123456789abcdef", ttlMs: 0, now: T0 })), undefined);
    const bad: Secret = { ...s, data: { ...s.data, expiration: Buffer.from("tomorrow").toString("base64") } };
    assert.equal(tokenCleanupDeadline(bad)?.at, 0);
  });
});

describe("cleaners as controllers", () => {
  it("delete each object at its deadline and nothing else", async () => {
    const h = startControllers([csrCleaner, bootstrapTokenCleaner], {}, { storeOnClock: true });
    try {
      const token = (id: string, ttlMs: number, namespace = "kube-system"): Secret => {
        const s = bootstrapTokenSecret({ token: `${id}.0123456789abcdef`, ttlMs, now: h.clock.now() });
        return { ...s, metadata: { ...s.metadata, namespace } };
      };
      h.store.create(token("short1", 10 * 60_000));
      h.store.create(token("never1", 0));
      h.store.create(token("other1", 60_000, "default"));
      h.store.create(csr("pending", undefined, h.clock.now()));
      h.store.create(csr("denied", { conditions: [cond("Denied", h.clock.now())] }, h.clock.now()));
      const names = (kind: string) => h.store.list(kind).items.map((o) => o.metadata.name).sort();
      await h.settle();
      assert.deepEqual(names("Secret"), ["bootstrap-token-never1", "bootstrap-token-other1", "bootstrap-token-short1"]);
      assert.deepEqual(names("CertificateSigningRequest"), ["denied", "pending"]);

      h.clock.advance(10 * 60_000);
      await h.settle();
      assert.deepEqual(names("Secret"), ["bootstrap-token-never1", "bootstrap-token-other1"], "the expired kube-system token is gone; another namespace's is not a bootstrap token");
      h.clock.advance(HOUR);
      await h.settle();
      assert.deepEqual(names("CertificateSigningRequest"), ["pending"]);
      h.clock.advance(23 * HOUR);
      await h.settle();
      assert.deepEqual(names("CertificateSigningRequest"), []);
      assert.deepEqual(names("Secret"), ["bootstrap-token-never1", "bootstrap-token-other1"]);
    } finally {
      await h.close();
    }
  });
});
