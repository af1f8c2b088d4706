/**
 * Pod Security Admission without a server: every baseline and restricted check's wording (singular and plural), the
 * order and overrides of the aggregated message, versions, the namespace labels (bad values, warn following a
 * stricter enforce), --pod-security-default, which pod updates are judged again, workload templates (warn and audit
 * only), and the warnings a stricter enforce label gives about existing pods.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Container, Pod, PodSpec } from "../../../src/api/types.js";
import { admitNamespace, admitPod, admitTemplate, significantPodUpdate } from "../../../src/auth/pod-security/admission.js";
import { checksFor } from "../../../src/auth/pod-security/checks.js";
import { DEFAULT_POLICY, evaluatePod, namespacePolicy, parseDefaultPolicy, type LevelVersion, type NamespacePolicy } from "../../../src/auth/pod-security/policy.js";

const RESTRICTED: LevelVersion = { level: "restricted", version: "latest" };
const BASELINE: LevelVersion = { level: "baseline", version: "latest" };

/** A container that passes restricted. */
function good(name: string, extra: Record<string, unknown> = {}): Container {
  return {
    name,
    image: "busybox",
    securityContext: { allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" }, ...extra },
  };
}

function pod(spec: Partial<PodSpec>, annotations?: Record<string, string>): Pod {
  return { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "ns", annotations }, spec: { containers: [good("c")], ...spec } };
}

const evaluate = (lv: LevelVersion, p: Pod) => evaluatePod(lv, p.metadata, p.spec);

describe("the baseline checks", () => {
  const cases: [string, Pod, string][] = [
    ["host namespaces", pod({ hostNetwork: true, hostPID: true }), "host namespaces (hostNetwork, hostPID)"],
    ["privileged", pod({ containers: [good("a", { privileged: true }), good("b", { privileged: true })] }), 'privileged (containers "a", "b" must not set securityContext.privileged=true)'],
    [
      "capabilities",
      pod({ containers: [good("a", { capabilities: { add: ["SYS_TIME", "NET_ADMIN", "CHOWN"], drop: ["ALL"] } })] }),
      'non-default capabilities (container "a" must not include "NET_ADMIN", "SYS_TIME" in securityContext.capabilities.add)',
    ],
    ["hostPath", pod({ volumes: [{ name: "h", hostPath: { path: "/" } }] }), 'hostPath volumes (volume "h")'],
    [
      "hostPort",
      pod({ containers: [good("a", {}), good("b")].map((c, i) => ({ ...c, ports: i === 0 ? [{ containerPort: 80, hostPort: 80 }, { containerPort: 443, hostPort: 443 }] : [] })) }),
      'hostPort (container "a" uses hostPorts 443, 80)',
    ],
    [
      "AppArmor",
      pod({ containers: [good("a", { appArmorProfile: { type: "Unconfined" } })] }, { "container.apparmor.security.beta.kubernetes.io/a": "unconfined" }),
      'forbidden AppArmor profiles (container "a" and annotation must not set AppArmor profile type to "Unconfined", "container.apparmor.security.beta.kubernetes.io/a="unconfined"")',
    ],
    [
      "SELinux",
      pod({ securityContext: { seLinuxOptions: { type: "spc_t", user: "root" } } as PodSpec["securityContext"] }),
      'seLinuxOptions (pod set forbidden securityContext.seLinuxOptions: type "spc_t"; user may not be set)',
    ],
    ["procMount", pod({ containers: [good("a", { procMount: "Unmasked" })] }), 'procMount (container "a" must not set securityContext.procMount to "Unmasked")'],
    [
      "seccomp",
      pod({ securityContext: { seccompProfile: { type: "Unconfined" } }, containers: [good("a", { seccompProfile: { type: "Unconfined" } })] }),
      'seccompProfile (pod and container "a" must not set securityContext.seccompProfile.type to "Unconfined")',
    ],
    [
      "sysctls",
      pod({ securityContext: { sysctls: [{ name: "net.ipv4.tcp_keepalive_time", value: "1" }, { name: "kernel.msgmax", value: "1" }, { name: "net.core.somaxconn", value: "1" }] } }),
      "forbidden sysctls (kernel.msgmax, net.core.somaxconn)",
    ],
    [
      "hostProcess",
      pod({ containers: [good("a", { windowsOptions: { hostProcess: true } })], securityContext: { windowsOptions: { hostProcess: true } } as PodSpec["securityContext"] }),
      'hostProcess (pod and container "a" must not set securityContext.windowsOptions.hostProcess=true)',
    ],
  ];
  for (const [name, p, want] of cases) {
    it(name, () => assert.equal(evaluate(BASELINE, p), want));
  }
  it("a pod that uses nothing forbidden passes baseline; privileged passes everything", () => {
    assert.equal(evaluate(BASELINE, pod({ containers: [{ name: "c", image: "busybox" }] })), undefined);
    assert.equal(evaluate({ level: "privileged", version: "latest" }, pod({ hostNetwork: true })), undefined);
  });
  it("sysctls follow the version: tcp_keepalive_time is allowed from v1.29", () => {
    const p = pod({ securityContext: { sysctls: [{ name: "net.ipv4.tcp_keepalive_time", value: "1" }] } });
    assert.equal(evaluate({ level: "baseline", version: "v1.28" }, p), "forbidden sysctls (net.ipv4.tcp_keepalive_time)");
    assert.equal(evaluate({ level: "baseline", version: "v1.29" }, p), undefined);
  });
});

describe("the restricted checks", () => {
  it("a bare container: kube-apiserver's message for restricted, in its order", () => {
    const p = pod({ containers: [{ name: "nginx", image: "nginx", securityContext: { privileged: true } }] });
    assert.equal(
      evaluate(RESTRICTED, p),
      'privileged (container "nginx" must not set securityContext.privileged=true), allowPrivilegeEscalation != false (container "nginx" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "nginx" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "nginx" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "nginx" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    );
  });
  it("volume types: restricted replaces the hostPath check; unknown kinds named", () => {
    const p = pod({ volumes: [{ name: "h", hostPath: { path: "/" } }, { name: "n", nfs: { server: "s", path: "/" } } as never, { name: "ok", emptyDir: {} }] });
    assert.equal(evaluate(RESTRICTED, p), 'restricted volume types (volumes "h", "n" use restricted volume types "hostPath", "nfs")');
    assert.ok(!checksFor("restricted", 32).some((c) => c.id === "hostPathVolumes"));
  });
  it("runAsNonRoot, runAsUser: explicit false and 0 named with who set them", () => {
    const p = pod({ securityContext: { runAsNonRoot: false, runAsUser: 0 }, containers: [good("a", { runAsNonRoot: false, runAsUser: 0 }), good("b")] });
    assert.equal(evaluate(RESTRICTED, p), 'runAsNonRoot != true (pod and container "a" must not set securityContext.runAsNonRoot=false), runAsUser=0 (pod and container "a" must not set runAsUser=0)');
    // The pod's runAsNonRoot=true covers containers that do not set it.
    const covered = pod({ securityContext: { runAsNonRoot: true, seccompProfile: { type: "Localhost" } }, containers: [{ ...good("a"), securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } }] });
    assert.equal(evaluate(RESTRICTED, covered), undefined);
  });
  it("capabilities: drop ALL, and only NET_BIND_SERVICE may be added", () => {
    const p = pod({ containers: [good("a", { capabilities: { drop: ["NET_RAW"], add: ["NET_BIND_SERVICE", "SYS_ADMIN"] } })] });
    // At restricted the baseline capabilities check is replaced, so it is said once.
    assert.equal(
      evaluate(RESTRICTED, p),
      'unrestricted capabilities (container "a" must set securityContext.capabilities.drop=["ALL"]; container "a" must not include "SYS_ADMIN" in securityContext.capabilities.add)',
    );
  });
  it("init and ephemeral containers are judged too; a Windows pod skips the Linux-only checks", () => {
    const p = pod({ initContainers: [{ name: "init", image: "busybox" }] });
    assert.match(evaluate(RESTRICTED, p) ?? "", /container "init" must set securityContext.allowPrivilegeEscalation=false/);
    const win = pod({ os: { name: "windows" }, containers: [{ name: "w", image: "x", securityContext: { runAsNonRoot: true } }] } as Partial<PodSpec>);
    assert.equal(evaluate(RESTRICTED, win), undefined);
  });
  it("v1.22 has no runAsUser check; v1.7 no allowPrivilegeEscalation", () => {
    const ids = (v: number) => checksFor("restricted", v).map((c) => c.id);
    assert.ok(!ids(22).includes("runAsUser") && ids(23).includes("runAsUser"));
    assert.ok(!ids(7).includes("allowPrivilegeEscalation"));
  });
});

describe("the namespace policy", () => {
  const L = (m: Record<string, string>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [`pod-security.kubernetes.io/${k}`, v]));
  it("labels over the default; warn follows a stricter explicit enforce, with its version", () => {
    const { policy, errors } = namespacePolicy(L({ enforce: "baseline", "enforce-version": "v1.30", audit: "restricted" }), DEFAULT_POLICY);
    assert.deepEqual(errors, []);
    assert.deepEqual(policy, { enforce: { level: "baseline", version: "v1.30" }, audit: { level: "restricted", version: "latest" }, warn: { level: "baseline", version: "v1.30" } });
    assert.deepEqual(namespacePolicy(L({ enforce: "baseline", warn: "privileged" }), DEFAULT_POLICY).policy.warn.level, "privileged");
  });
  it("a bad enforce level is restricted, a bad warn level privileged; each named", () => {
    const { policy, errors } = namespacePolicy(L({ enforce: "strict", warn: "loud", "audit-version": "1.2" }), DEFAULT_POLICY);
    assert.equal(policy.enforce.level, "restricted");
    assert.equal(policy.warn.level, "privileged");
    assert.deepEqual(
      errors.map((e) => e.message),
      [
        'metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted',
        'metadata.labels[pod-security.kubernetes.io/audit-version]: Invalid value: "1.2": must be "latest" or "v1.x"',
        'metadata.labels[pod-security.kubernetes.io/warn]: Invalid value: "loud": must be one of privileged, baseline, restricted',
      ],
    );
  });
  it("--pod-security-default: a level for enforce, or modes", () => {
    assert.deepEqual(parseDefaultPolicy("baseline").enforce, { level: "baseline", version: "latest" });
    const p = parseDefaultPolicy("enforce=baseline:v1.31,warn=restricted");
    assert.deepEqual(p, { enforce: { level: "baseline", version: "v1.31" }, audit: { level: "privileged", version: "latest" }, warn: { level: "restricted", version: "latest" } });
    assert.throws(() => parseDefaultPolicy("strict"), /--pod-security-default: "strict" is not LEVEL\[:VERSION\]/);
    assert.throws(() => parseDefaultPolicy("deny=baseline"), /is not MODE=LEVEL\[:VERSION\]/);
  });
});

describe("admission", () => {
  const policy = (enforce: string, warn: string, audit = "privileged"): NamespacePolicy => ({
    enforce: { level: enforce as LevelVersion["level"], version: "latest" },
    warn: { level: warn as LevelVersion["level"], version: "latest" },
    audit: { level: audit as LevelVersion["level"], version: "latest" },
  });
  const privileged = pod({ containers: [{ name: "c", image: "busybox", securityContext: { privileged: true } }] });
  it("enforce refuses, warn warns (not when it is the enforce level), audit annotates", () => {
    const o = admitPod(privileged, undefined, policy("baseline", "restricted", "restricted"));
    assert.equal(o.forbidden, 'violates PodSecurity "baseline:latest": privileged (container "c" must not set securityContext.privileged=true)');
    assert.equal(o.warnings.length, 1);
    assert.match(o.warnings[0], /^would violate PodSecurity "restricted:latest": privileged \(container "c" must not set securityContext.privileged=true\), allowPrivilegeEscalation != false/);
    assert.equal(o.annotations["enforce-policy"], "baseline:latest");
    assert.match(o.annotations["audit-violations"], /^would violate PodSecurity "restricted:latest": privileged/);
    assert.deepEqual(admitPod(privileged, undefined, policy("baseline", "baseline")).warnings, []);
    const plain = pod({ containers: [{ name: "c", image: "busybox" }] });
    const warned = admitPod(plain, undefined, policy("privileged", "baseline"));
    assert.equal(warned.forbidden, undefined);
    assert.deepEqual(warned.warnings, []);
  });
  it("an update is judged only when it changes an image, a seccomp annotation or the containers", () => {
    const labelled = { ...privileged, metadata: { ...privileged.metadata, labels: { a: "b" } } };
    assert.equal(significantPodUpdate(labelled, privileged), false);
    assert.equal(admitPod(labelled, privileged, policy("baseline", "baseline")).forbidden, undefined);
    const image = { ...privileged, spec: { ...privileged.spec, containers: [{ ...privileged.spec.containers[0], image: "busybox:2" }] } };
    assert.equal(significantPodUpdate(image, privileged), true);
    assert.ok(admitPod(image, privileged, policy("baseline", "baseline")).forbidden);
    const debug = { ...privileged, spec: { ...privileged.spec, ephemeralContainers: [{ name: "dbg", image: "busybox" }] } };
    assert.equal(significantPodUpdate(debug, privileged), true);
  });
  it("workload templates: warned and audited, never refused; unchanged templates not judged again", () => {
    const deploy = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d", namespace: "ns" }, spec: { template: { metadata: {}, spec: privileged.spec } } };
    const o = admitTemplate(deploy, undefined, policy("restricted", "restricted", "baseline"));
    assert.equal(o.forbidden, undefined);
    assert.match(o.warnings[0], /^would violate PodSecurity "restricted:latest": privileged/);
    assert.match(o.annotations["audit-violations"], /^would violate PodSecurity "baseline:latest": privileged/);
    const scaled = { ...deploy, spec: { ...deploy.spec, replicas: 3 } };
    assert.deepEqual(admitTemplate(scaled, deploy, policy("restricted", "restricted")).warnings, []);
    const cron = { apiVersion: "batch/v1", kind: "CronJob", metadata: { name: "c" }, spec: { jobTemplate: { spec: { template: { spec: privileged.spec } } } } };
    assert.equal(admitTemplate(cron, undefined, policy("baseline", "baseline")).warnings.length, 1);
  });
  it("a stricter enforce label names the existing pods it would refuse, grouped; bad labels are invalid", () => {
    const enforce = { "pod-security.kubernetes.io/enforce": "baseline" };
    const pods = ["a", "b", "c"].map((n) => ({ ...privileged, metadata: { ...privileged.metadata, name: n } }));
    const o = admitNamespace(enforce, {}, "ns", [...pods, pod({ containers: [{ name: "c", image: "x" }] })], DEFAULT_POLICY);
    assert.deepEqual(o.warnings, ['existing pods in namespace "ns" violate the new PodSecurity enforce level "baseline:latest"', "a (and 2 other pods): privileged"]);
    assert.deepEqual(admitNamespace(enforce, enforce, "ns", pods, DEFAULT_POLICY).warnings, []);
    assert.equal(admitNamespace({ "pod-security.kubernetes.io/enforce": "strict" }, undefined, "ns", [], DEFAULT_POLICY).invalid?.length, 1);
  });
});
