/**
 * Pod Security exemptions (the PodSecurity plugin's AdmissionConfiguration): exempt namespaces and users are not
 * judged even in a restricted namespace, exempt runtime classes are not judged unless the namespace is fully
 * privileged, each with upstream's `exempt` audit annotation; templates likewise; an exempt namespace given a policy
 * is warned that it is ignored; the configuration file is parsed and refused as upstream validates it; a relative
 * `path` is read from beside the file; defaults in both the file and --pod-security-default are refused.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { KubeObject, Pod } from "../../../src/api/types.js";
import { admitNamespace, admitPod, admitTemplate } from "../../../src/auth/pod-security/admission.js";
import { parseAdmissionConfiguration, type Exemptions } from "../../../src/auth/pod-security/configuration.js";
import { DEFAULT_POLICY, type NamespacePolicy } from "../../../src/auth/pod-security/policy.js";
import { podSecuritySettings } from "../../../src/cmd/access-wiring.js";

const R = { level: "restricted", version: "latest" } as const;
const RESTRICTED: NamespacePolicy = { enforce: R, audit: R, warn: R };
const EX: Exemptions = { usernames: ["ci-bot"], runtimeClasses: ["kata"], namespaces: ["kube-system"] };

const privileged = (runtimeClassName?: string): Pod =>
  ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "team" },
    spec: { ...(runtimeClassName ? { runtimeClassName } : {}), containers: [{ name: "c", image: "busybox", securityContext: { privileged: true } }] },
  });

describe("Pod Security exemptions", () => {
  it("a privileged pod in a restricted namespace: refused, unless namespace, user or runtime class is exempt", () => {
    assert.match(admitPod(privileged(), undefined, RESTRICTED, EX, { namespace: "team", username: "jane" }).forbidden!, /^violates PodSecurity "restricted:latest"/);
    const ns = admitPod(privileged(), undefined, RESTRICTED, EX, { namespace: "kube-system", username: "jane" });
    assert.deepEqual(ns, { warnings: [], annotations: { exempt: "namespace" } });
    assert.deepEqual(admitPod(privileged(), undefined, RESTRICTED, EX, { namespace: "team", username: "ci-bot" }).annotations, { exempt: "user" });
    const rc = admitPod(privileged("kata"), undefined, RESTRICTED, EX, { namespace: "team", username: "jane" });
    assert.equal(rc.forbidden, undefined);
    assert.deepEqual(rc.annotations, { exempt: "runtimeClass" });
    assert.ok(admitPod(privileged("runc"), undefined, RESTRICTED, EX, { namespace: "team", username: "jane" }).forbidden, "another runtime class is judged");
  });

  it("namespace and user exemptions are annotated even in a privileged namespace; runtime classes are not", () => {
    assert.deepEqual(admitPod(privileged(), undefined, DEFAULT_POLICY, EX, { namespace: "kube-system", username: "x" }).annotations, { exempt: "namespace" });
    assert.deepEqual(admitPod(privileged("kata"), undefined, DEFAULT_POLICY, EX, { namespace: "team", username: "x" }).annotations, {});
  });

  it("a workload's template: exempt users get no warning and the annotation", () => {
    const deploy = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d", namespace: "team" }, spec: { template: { metadata: {}, spec: privileged().spec } } } as unknown as KubeObject;
    assert.equal(admitTemplate(deploy, undefined, RESTRICTED, EX, { namespace: "team", username: "jane" }).warnings.length, 1);
    assert.deepEqual(admitTemplate(deploy, undefined, RESTRICTED, EX, { namespace: "team", username: "ci-bot" }), { warnings: [], annotations: { exempt: "user" } });
  });

  it("an exempt namespace labelled restricted is told its policy is ignored; its pods are not listed", () => {
    const labels = { "pod-security.kubernetes.io/enforce": "restricted" };
    const created = admitNamespace(labels, undefined, "kube-system", [], DEFAULT_POLICY, EX);
    assert.deepEqual(created.warnings, ['namespace "kube-system" is exempt from Pod Security, and the policy (enforce=restricted:latest) will be ignored']);
    const updated = admitNamespace(labels, {}, "kube-system", [privileged()], DEFAULT_POLICY, EX);
    assert.deepEqual(updated.warnings, ['namespace "kube-system" is exempt from Pod Security, and the policy (enforce=restricted:latest) will be ignored']);
    // In another namespace, a pod of an exempt runtime class is not named among those the new level would refuse.
    const other = admitNamespace(labels, {}, "team", [privileged("kata")], DEFAULT_POLICY, EX);
    assert.deepEqual(other.warnings, []);
  });

  it("the AdmissionConfiguration: inline, by path, and refused with the field named", () => {
    const inline = `apiVersion: apiserver.config.k8s.io/v1
kind: AdmissionConfiguration
plugins:
- name: PodSecurity
  configuration:
    apiVersion: pod-security.admission.config.k8s.io/v1
    kind: PodSecurityConfiguration
    defaults: {enforce: baseline, warn: restricted, warn-version: v1.31}
    exemptions: {usernames: [ci-bot], runtimeClasses: [kata], namespaces: [kube-system]}
`;
    const c = parseAdmissionConfiguration(inline, "adm.yaml", () => assert.fail("no path"))!;
    assert.deepEqual(c.exemptions, EX);
    assert.deepEqual(c.defaults, { enforce: { level: "baseline", version: "latest" }, audit: { level: "privileged", version: "latest" }, warn: { level: "restricted", version: "v1.31" } });
    const bad = (text: string) => assert.throws(() => parseAdmissionConfiguration(text, "adm.yaml", () => ""), Error);
    const wrap = (exemptions: string) => inline.replace(/exemptions: .*/, `exemptions: ${exemptions}`);
    assert.throws(() => parseAdmissionConfiguration(wrap("{namespaces: [Kube_System]}"), "adm.yaml", () => ""), /adm\.yaml: plugins\[0\]\.configuration exemptions\.namespaces\[0\]: Invalid value: "Kube_System": must be a DNS label/);
    assert.throws(() => parseAdmissionConfiguration(wrap("{usernames: [a, a]}"), "adm.yaml", () => ""), /exemptions\.usernames\[1\]: Duplicate value: "a"/);
    assert.throws(() => parseAdmissionConfiguration(inline.replace("name: PodSecurity", "name: EventRateLimit"), "adm.yaml", () => ""), /plugins\[0\]\.name: Unsupported value: "EventRateLimit"/);
    bad(inline.replace("enforce: baseline", "enforce: strict"));
    bad(inline.replace("kind: AdmissionConfiguration", "kind: Policy"));
  });

  it("the daemon's settings: a relative path beside the file; defaults set twice refused; none: privileged", () => {
    const dir = mkdtempSync(join(tmpdir(), "nodelet-psa-"));
    try {
      writeFileSync(join(dir, "psa.yaml"), "apiVersion: pod-security.admission.config.k8s.io/v1\nkind: PodSecurityConfiguration\nexemptions:\n  namespaces: [ops]\n");
      writeFileSync(join(dir, "adm.yaml"), "apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins:\n- name: PodSecurity\n  path: psa.yaml\n");
      const s = podSecuritySettings({ admissionControlConfigFile: join(dir, "adm.yaml"), podSecurityDefault: RESTRICTED });
      assert.deepEqual(s, { defaults: RESTRICTED, exemptions: { usernames: [], runtimeClasses: [], namespaces: ["ops"] } });
      writeFileSync(join(dir, "psa.yaml"), "apiVersion: pod-security.admission.config.k8s.io/v1\nkind: PodSecurityConfiguration\ndefaults: {enforce: baseline}\n");
      assert.throws(() => podSecuritySettings({ admissionControlConfigFile: join(dir, "adm.yaml"), podSecurityDefault: RESTRICTED }), /--pod-security-default and the PodSecurity defaults in .*adm\.yaml both set the defaults/);
      assert.deepEqual(podSecuritySettings({}), { defaults: DEFAULT_POLICY, exemptions: { usernames: [], runtimeClasses: [], namespaces: [] } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
