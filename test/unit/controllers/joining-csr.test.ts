/**
 * CertificateSigningRequests: validation of what a client sends, the approval and status subresources' rules,
 * the approver's recognition of node client requests (auto-approved only when the requestor may create
 * nodeclient/selfnodeclient), the signer's validity window (expirationSeconds honoured and bounded, backdated 5
 * minutes, never past the CA) and Failed for what the signer refuses; then the controller over a store with a real
 * CA: approved and issued, the certificate verifying under the CA, for the request's key and subject.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { generateKeyPairSync, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { admitCreate } from "../../../src/api/admission.js";
import { prepareCsrSubresourceUpdate, type CertificateSigningRequest } from "../../../src/api/certificates.js";
import { ApiError } from "../../../src/api/errors.js";
import { createCsr, parseCsr } from "../../../src/api/x509.js";
import { certificateSigningRequestPrinter } from "../../../src/api/tables/certificates.js";
import { CsrController, type CsrAccessReview } from "../../../src/controllers/csr/controller.js";
import { autoApproval, kubeletClientCsrError, kubeletServingCsrError, servingApproval, validity } from "../../../src/controllers/csr/policy.js";
import type { Node } from "../../../src/api/types.js";
import { openStore } from "../../../src/store/sqlite-store.js";
import { waitFor } from "../../helpers/wait.js";

const CTX = { nodeName: "n" };
const KEY = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey;
const NODE_CSR = createCsr(KEY, { commonName: "system:node:a", organizations: ["system:nodes"] });

function csr(spec: Partial<CertificateSigningRequest["spec"]> = {}, name = "c"): CertificateSigningRequest {
  return {
    apiVersion: "certificates.k8s.io/v1",
    kind: "CertificateSigningRequest",
    metadata: { name },
    spec: { request: Buffer.from(NODE_CSR).toString("base64"), signerName: "kubernetes.io/kube-apiserver-client-kubelet", usages: ["digital signature", "client auth"], ...spec },
  };
}

function invalid(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ApiError && err.code === 422, String(err));
    return (err.details.causes ?? []).map((c) => `${c.field}: ${c.message}`);
  }
  assert.fail("accepted");
}

describe("CertificateSigningRequest validation and subresources", () => {
  it("accepts a node client request and refuses what upstream refuses, naming the field", () => {
    const ok = admitCreate(csr(), CTX);
    assert.equal(ok.status, undefined);
    assert.deepEqual(invalid(() => admitCreate(csr({ request: Buffer.from("hello").toString("base64") }), CTX)), ["spec.request: Invalid value: \"aGVsbG8=\": PEM block type must be CERTIFICATE REQUEST"]);
    assert.deepEqual(invalid(() => admitCreate(csr({ signerName: "" }), CTX)), ["spec.signerName: Required value"]);
    assert.match(invalid(() => admitCreate(csr({ signerName: "nodelet" }), CTX))[0], /must be a fully qualified domain and path of the form 'example.com\/signer-name'/);
    assert.match(invalid(() => admitCreate(csr({ usages: ["client auth", "root"] }), CTX))[0], /^spec.usages\[1\]: Unsupported value: "root": supported values: /);
    assert.deepEqual(invalid(() => admitCreate(csr({ usages: [] }), CTX)), ["spec.usages: Required value"]);
    assert.deepEqual(invalid(() => admitCreate(csr({ expirationSeconds: 599 }), CTX)), ["spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 600 seconds (10 minutes)"]);
  });

  it("approval changes only conditions; status cannot approve; a certificate needs approval and stays", () => {
    const old = admitCreate(csr(), CTX);
    const approve = { ...old, status: { conditions: [{ type: "Approved", status: "True", reason: "KubectlApprove" }], certificate: "eA==" } };
    const a = prepareCsrSubresourceUpdate(approve, old, "approval", "2026-12-07T10:00:00Z");
    assert.deepEqual(a.errors, []);
    assert.equal(a.csr.status?.certificate, undefined, "approval does not set the certificate");
    assert.equal(a.csr.status?.conditions?.[0].lastUpdateTime, "2026-12-07T10:00:00Z");
    assert.equal(a.csr.status?.conditions?.[0].lastTransitionTime, "2026-12-07T10:00:00Z");
    const both = { ...old, status: { conditions: [{ type: "Approved", status: "True" }, { type: "Denied", status: "True" }] } };
    assert.ok(prepareCsrSubresourceUpdate(both, old, "approval", "t").errors.some((e) => e.message.includes("Approved and Denied conditions are mutually exclusive")));
    const sneaky = prepareCsrSubresourceUpdate(approve, old, "status", "t");
    assert.deepEqual(sneaky.csr.status?.conditions, undefined, "status cannot add Approved");
    assert.ok(sneaky.errors.some((e) => e.message.includes("certificate issued without an Approved condition")));
    const approved = a.csr;
    const pem = Buffer.from("-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n").toString("base64");
    const issued = prepareCsrSubresourceUpdate({ ...approved, status: { ...approved.status, certificate: pem } }, approved, "status", "t");
    assert.deepEqual(issued.errors, []);
    const changed = prepareCsrSubresourceUpdate({ ...issued.csr, status: { ...issued.csr.status, certificate: Buffer.from("x").toString("base64") } }, issued.csr, "status", "t");
    assert.ok(changed.errors.some((e) => e.message.includes("updates may not modify existing certificate content")));
    const removed = prepareCsrSubresourceUpdate({ ...approved, status: { conditions: [] } }, approved, "approval", "t");
    assert.ok(removed.errors.some((e) => e.message.includes('updates may not remove a condition of type "Approved"')));
  });

  it("prints kubectl's columns", () => {
    const c = { ...admitCreate(csr({ expirationSeconds: 3600, username: "system:bootstrap:abcdef" }), CTX), metadata: { name: "c", creationTimestamp: "2026-12-07T09:59:00Z" } };
    assert.deepEqual(certificateSigningRequestPrinter.columns.map((x) => x.name), ["Name", "Age", "SignerName", "Requestor", "RequestedDuration", "Condition"]);
    assert.deepEqual(certificateSigningRequestPrinter.cells(c, Date.parse("2026-12-07T10:00:00Z")), ["c", "60s", "kubernetes.io/kube-apiserver-client-kubelet", "system:bootstrap:abcdef", "60m", "Pending"]);
    const done = { ...c, status: { conditions: [{ type: "Approved", status: "True" }, { type: "Failed", status: "True" }], certificate: "eA==" } };
    assert.equal(certificateSigningRequestPrinter.cells(done, 0)[5], "Approved,Failed,Issued");
  });
});

describe("csrapproving and csrsigning rules", () => {
  it("recognizes node client requests exactly", () => {
    const p = parseCsr(NODE_CSR);
    assert.equal(p.signatureValid, true);
    assert.equal(kubeletClientCsrError(p, ["digital signature", "client auth"]), undefined);
    assert.equal(kubeletClientCsrError(p, ["digital signature", "key encipherment", "client auth"]), undefined);
    assert.equal(kubeletClientCsrError(p, ["client auth"]), "usages did not match [client auth digital signature key encipherment]");
    assert.equal(kubeletClientCsrError(parseCsr(createCsr(KEY, { commonName: "system:node:a", organizations: ["system:masters"] })), ["digital signature", "client auth"]), "subject organization is not system:nodes");
    assert.equal(kubeletClientCsrError(parseCsr(createCsr(KEY, { commonName: "admin", organizations: ["system:nodes"] })), ["digital signature", "client auth"]), "subject common name does not begin with system:node:");
  });

  it("approves only when the requestor may create nodeclient, or selfnodeclient for its own name", () => {
    const p = parseCsr(NODE_CSR);
    const asked: string[] = [];
    const by = (username: string, allow: string[]) => autoApproval(csr({ username }), p, (s) => (asked.push(s), allow.includes(s)), "t");
    assert.equal(by("system:bootstrap:abcdef", ["nodeclient"])?.message, "Auto approving kubelet client certificate after SubjectAccessReview.");
    assert.equal(by("system:bootstrap:abcdef", []), undefined);
    assert.equal(by("system:node:a", ["selfnodeclient"])?.message, "Auto approving self kubelet client certificate after SubjectAccessReview.");
    assert.equal(by("system:node:b", ["selfnodeclient"]), undefined, "another node's name is not self");
    assert.equal(autoApproval(csr({ username: "x", signerName: "example.com/x" }), p, () => true, "t"), undefined);
    assert.equal(autoApproval({ ...csr({ username: "x" }), status: { conditions: [{ type: "Denied", status: "True" }] } }, p, () => true, "t"), undefined);
  });

  it("honours expirationSeconds within bounds, backdating long-lived certificates", () => {
    const now = Date.parse("2026-12-07T10:00:00Z");
    const caEnd = now + 10 * 365 * 86_400_000;
    const year = 365 * 86_400_000;
    assert.deepEqual(validity(3600, year, now, caEnd), { notBefore: now - 300_000, notAfter: now + 3_600_000 });
    assert.deepEqual(validity(100, year, now, caEnd), { notBefore: now - 300_000, notAfter: now + 600_000 });
    assert.deepEqual(validity(undefined, year, now, caEnd), { notBefore: now - 300_000, notAfter: now - 300_000 + year });
    assert.deepEqual(validity(10 * year / 1000, year, now, caEnd).notAfter, now - 300_000 + year);
    assert.equal(validity(3600, year, now, now + 60_000).notAfter, now + 60_000);
    assert.throws(() => validity(3600, year, now, now - 1), /refusing to sign a certificate that expired in the past/);
  });
});

describe("the CSR controller over a store", () => {
  it("auto-approves and issues a node client certificate under the CA; fails what the signer refuses", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nodelet-csr-"));
    const store = openStore(":memory:");
    try {
      execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", join(dir, "ca.key"), "-out", join(dir, "ca.crt"), "-days", "30", "-subj", "/CN=test-ca", "-addext", "basicConstraints=critical,CA:TRUE"], { stdio: "ignore" });
      const ca = { cert: readFileSync(join(dir, "ca.crt"), "utf8"), key: readFileSync(join(dir, "ca.key"), "utf8") };
      const reviews: CsrAccessReview[] = [];
      const ctl = new CsrController({ store, ca, allowed: (r) => (reviews.push(r), r.user.groups.includes("system:bootstrappers") && "subresource" in r && r.subresource === "nodeclient") });
      ctl.start();
      try {
        store.create({ ...admitCreate(csr({ expirationSeconds: 3600 }, "good"), CTX), spec: { ...csr({ expirationSeconds: 3600 }).spec, username: "system:bootstrap:abcdef", groups: ["system:bootstrappers", "system:authenticated"] } });
        await waitFor("the certificate", () => !!store.get<CertificateSigningRequest>("CertificateSigningRequest", "", "good")?.status?.certificate, 5000);
        const got = store.get<CertificateSigningRequest>("CertificateSigningRequest", "", "good")!;
        assert.deepEqual(got.status?.conditions?.map((c) => [c.type, c.reason]), [["Approved", "AutoApproved"]]);
        const cert = new X509Certificate(Buffer.from(got.status.certificate!, "base64").toString());
        assert.ok(cert.checkIssued(new X509Certificate(ca.cert)) && cert.verify(new X509Certificate(ca.cert).publicKey));
        assert.ok(cert.checkPrivateKey(KEY));
        assert.match(cert.subject, /CN=system:node:a/);
        assert.equal(Date.parse(cert.validTo) - Date.parse(cert.validFrom), 3_600_000 + 300_000);
        assert.deepEqual(reviews[0], { user: { name: "system:bootstrap:abcdef", uid: undefined, groups: ["system:bootstrappers", "system:authenticated"], extra: undefined }, subresource: "nodeclient" });
        // An admin-approved request the kubelet signer refuses (wrong organization) is Failed, not signed.
        const bad = createCsr(KEY, { commonName: "system:node:a", organizations: ["ops"] });
        const admin = { ...csr({ request: Buffer.from(bad).toString("base64") }, "bad"), status: { conditions: [{ type: "Approved", status: "True", reason: "KubectlApprove" }] } };
        store.create({ ...admitCreate(admin, CTX), status: admin.status });
        await waitFor("the Failed condition", () => (store.get<CertificateSigningRequest>("CertificateSigningRequest", "", "bad")?.status?.conditions ?? []).some((c) => c.type === "Failed"), 5000);
        const failed = store.get<CertificateSigningRequest>("CertificateSigningRequest", "", "bad")!;
        assert.deepEqual(failed.status?.conditions?.[1], { ...failed.status!.conditions![1], type: "Failed", status: "True", reason: "SignerValidationFailure", message: "subject organization is not system:nodes" });
        assert.equal(failed.status?.certificate, undefined);
      } finally {
        ctl.stop();
      }
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("kubelet serving certificate requests", () => {
  const serving = (names: { dnsNames?: string[]; ipAddresses?: string[] }, cn = "system:node:a") => createCsr(KEY, { commonName: cn, organizations: ["system:nodes"], ...names });
  const request = (pem: string, username: string, usages = ["digital signature", "key encipherment", "server auth"]): CertificateSigningRequest => ({
    ...csr({ request: Buffer.from(pem).toString("base64"), signerName: "kubernetes.io/kubelet-serving", usages }, "s"),
    spec: { request: Buffer.from(pem).toString("base64"), signerName: "kubernetes.io/kubelet-serving", usages, username, groups: ["system:nodes"] },
  });
  const node = { apiVersion: "v1", kind: "Node", metadata: { name: "a" }, status: { addresses: [{ type: "InternalIP", address: "10.1.2.3" }, { type: "Hostname", address: "host-a" }] } } as Node;
  const now = "2026-12-07T21:00:00Z";

  it("carries the requested names; the serving rules refuse what upstream's ValidateKubeletServingCSR refuses", () => {
    const parsed = parseCsr(serving({ dnsNames: ["a", "host-a"], ipAddresses: ["10.1.2.3", "fd00::1"] }));
    assert.deepEqual([parsed.dnsNames, parsed.ipAddresses], [["a", "host-a"], ["10.1.2.3", "fd00:0000:0000:0000:0000:0000:0000:0001"]]);
    assert.ok(parsed.signatureValid);
    const usages = ["digital signature", "server auth"];
    assert.equal(kubeletServingCsrError(parsed, usages), undefined);
    assert.equal(kubeletServingCsrError(parseCsr(serving({})), usages), "DNS or IP subjectAltName is required");
    assert.equal(kubeletServingCsrError(parsed, ["digital signature", "client auth"]), "usages did not match [digital signature key encipherment server auth]");
    assert.equal(kubeletServingCsrError(parseCsr(serving({ dnsNames: ["a"] }, "jane")), usages), "subject common name does not begin with system:node:");
  });

  it("approves the node's own request for its own names; not another's names, not another requestor, not an unknown node", () => {
    const own = parseCsr(serving({ dnsNames: ["a"], ipAddresses: ["10.1.2.3"] }));
    const never = () => false;
    assert.equal(servingApproval(request(serving({ dnsNames: ["a"], ipAddresses: ["10.1.2.3"] }), "system:node:a"), own, node, never, now)?.reason, "AutoApproved");
    const foreign = parseCsr(serving({ ipAddresses: ["10.9.9.9"] }));
    assert.equal(servingApproval(request(serving({ ipAddresses: ["10.9.9.9"] }), "system:node:a"), foreign, node, never, now), undefined, "an address that is not the node's");
    assert.equal(servingApproval(request(serving({ dnsNames: ["a"] }), "system:node:b"), own, node, never, now), undefined, "another node's credentials");
    assert.equal(servingApproval(request(serving({ dnsNames: ["a"] }), "jane"), own, node, () => true, now)?.type, "Approved", "a requestor who may approve for the signer");
    assert.equal(servingApproval(request(serving({ dnsNames: ["a"] }), "system:node:a"), own, undefined, never, now), undefined, "no such Node");
  });

  it("the controller approves and signs it: a server certificate for the node's names under the CA", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nodelet-csr-serving-"));
    const store = openStore(":memory:");
    try {
      execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", join(dir, "ca.key"), "-out", join(dir, "ca.crt"), "-days", "30", "-subj", "/CN=test-ca", "-addext", "basicConstraints=critical,CA:TRUE"], { stdio: "ignore" });
      const ca = { cert: readFileSync(join(dir, "ca.crt"), "utf8"), key: readFileSync(join(dir, "ca.key"), "utf8") };
      store.create(node);
      const ctl = new CsrController({ store, ca, allowed: () => false });
      ctl.start();
      try {
        const r = request(serving({ dnsNames: ["a"], ipAddresses: ["10.1.2.3"] }), "system:node:a");
        store.create({ ...admitCreate(r, CTX), spec: r.spec });
        await waitFor("the certificate", () => !!store.get<CertificateSigningRequest>("CertificateSigningRequest", "", "s")?.status?.certificate, 5000);
        const cert = new X509Certificate(Buffer.from(store.get<CertificateSigningRequest>("CertificateSigningRequest", "", "s")!.status!.certificate!, "base64").toString());
        assert.ok(cert.verify(new X509Certificate(ca.cert).publicKey));
        assert.equal(cert.subjectAltName, "DNS:a, IP Address:10.1.2.3");
        assert.equal(cert.checkIP("10.1.2.3"), "10.1.2.3");
      } finally {
        ctl.stop();
      }
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
