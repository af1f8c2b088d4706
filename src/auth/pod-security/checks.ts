/**
 * The Pod Security Standards' checks (k8s.io/pod-security-admission/policy, as of Kubernetes 1.32): each looks at a
 * pod's metadata and spec and either allows it or gives a reason and a detail, worded as upstream words them
 * (`privileged` / `container "c" must not set securityContext.privileged=true`). Pure.
 *
 * baseline: host namespaces, privileged, non-default capabilities, hostPath volumes, host ports, AppArmor, SELinux,
 * /proc mount, seccomp (Unconfined), sysctls, Windows HostProcess.
 * restricted adds: volume types, allowPrivilegeEscalation, runAsNonRoot, runAsUser, seccomp (must be set),
 * capabilities (drop ALL, add only NET_BIND_SERVICE). A restricted check may replace a baseline one (restricted
 * volume types replaces hostPath volumes, the restricted seccomp and capabilities checks replace theirs), so a pod is
 * not told the same thing twice.
 */
import type { Container, KubeObject, PodSpec } from "../../api/types.js";

export type Level = "privileged" | "baseline" | "restricted";

export interface CheckResult {
  reason: string;
  detail: string;
}

export interface Check {
  id: string;
  level: Exclude<Level, "privileged">;
  /** The first minor version (1.x) of the standard this check belongs to. */
  since: number;
  /** Baseline checks this one replaces at the restricted level. */
  overrides?: string[];
  run(meta: KubeObject["metadata"], spec: PodSpec): CheckResult | undefined;
}

/** The fields the checks read beyond nodelet's typed ones (accepted by the schema, carried as given). */
interface SeLinuxOptions {
  user?: string;
  role?: string;
  type?: string;
}
interface ExtraSecurity {
  seLinuxOptions?: SeLinuxOptions;
  windowsOptions?: { hostProcess?: boolean };
  appArmorProfile?: { type?: string };
  seccompProfile?: { type?: string };
  runAsNonRoot?: boolean;
  runAsUser?: number;
}
type AnyContainer = Container & { securityContext?: Container["securityContext"] & ExtraSecurity };
type AnySpec = PodSpec & { securityContext?: PodSpec["securityContext"] & ExtraSecurity; hostNetwork?: boolean; hostPID?: boolean; hostIPC?: boolean; os?: { name?: string } };

/** Since 1.25 the Linux-only restricted checks pass a pod that says it runs on Windows. */
const windowsPod = (spec: PodSpec): boolean => (spec as AnySpec).os?.name === "windows";

/** Every container, init container and ephemeral container (visitContainers). */
function containers(spec: PodSpec): AnyContainer[] {
  return [...(spec.initContainers ?? []), ...spec.containers, ...(spec.ephemeralContainers ?? [])] as AnyContainer[];
}

const joinQuote = (items: string[]): string => (items.length ? `"${items.join('", "')}"` : "");
const pluralize = (one: string, many: string, n: number): string => (n === 1 ? one : many);
/** sets.NewString(...).List(): unique, sorted. */
const sortedSet = (items: Iterable<string>): string[] => [...new Set(items)].sort();
const containerList = (names: string[]): string => `${pluralize("container", "containers", names.length)} ${joinQuote(names)}`;

function podSecurity(spec: PodSpec): AnySpec["securityContext"] {
  return (spec as AnySpec).securityContext;
}

const hostNamespaces: Check = {
  id: "hostNamespaces",
  level: "baseline",
  since: 0,
  run(_meta, spec) {
    const s = spec as AnySpec;
    const used = sortedSet([s.hostNetwork && "hostNetwork", s.hostPID && "hostPID", s.hostIPC && "hostIPC"].filter((x): x is string => !!x));
    return used.length ? { reason: "host namespaces", detail: used.join(", ") } : undefined;
  },
};

const privileged: Check = {
  id: "privileged",
  level: "baseline",
  since: 0,
  run(_meta, spec) {
    const bad = containers(spec).filter((c) => c.securityContext?.privileged === true).map((c) => c.name);
    return bad.length ? { reason: "privileged", detail: `${containerList(bad)} must not set securityContext.privileged=true` } : undefined;
  },
};

const BASELINE_CAPABILITIES = new Set(["AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"]);

const capabilitiesBaseline: Check = {
  id: "capabilities_baseline",
  level: "baseline",
  since: 0,
  run(_meta, spec) {
    const bad: string[] = [];
    const caps: string[] = [];
    for (const c of containers(spec)) {
      const added = (c.securityContext?.capabilities?.add ?? []).filter((x) => !BASELINE_CAPABILITIES.has(x));
      if (added.length) bad.push(c.name);
      caps.push(...added);
    }
    return bad.length ? { reason: "non-default capabilities", detail: `${containerList(bad)} must not include ${joinQuote(sortedSet(caps))} in securityContext.capabilities.add` } : undefined;
  },
};

const hostPathVolumes: Check = {
  id: "hostPathVolumes",
  level: "baseline",
  since: 0,
  run(_meta, spec) {
    const bad = (spec.volumes ?? []).filter((v) => v.hostPath).map((v) => v.name);
    return bad.length ? { reason: "hostPath volumes", detail: `${pluralize("volume", "volumes", bad.length)} ${joinQuote(bad)}` } : undefined;
  },
};

const hostPorts: Check = {
  id: "hostPorts",
  level: "baseline",
  since: 0,
  run(_meta, spec) {
    const bad: string[] = [];
    const ports: string[] = [];
    for (const c of containers(spec)) {
      const hp = (c.ports ?? []).filter((p) => p.hostPort).map((p) => String(p.hostPort));
      if (hp.length) bad.push(c.name);
      ports.push(...hp);
    }
    const list = sortedSet(ports);
    return bad.length
      ? { reason: "hostPort", detail: `${containerList(bad)} ${pluralize("uses", "use", bad.length)} ${pluralize("hostPort", "hostPorts", list.length)} ${list.join(", ")}` }
      : undefined;
  },
};

const APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/";

const appArmorProfile: Check = {
  id: "appArmorProfile",
  level: "baseline",
  since: 0,
  run(meta, spec) {
    const allowedType = (t: string | undefined) => t === "RuntimeDefault" || t === "Localhost";
    const setters: string[] = [];
    const values: string[] = [];
    const pod = podSecurity(spec)?.appArmorProfile;
    if (pod && !allowedType(pod.type)) {
      setters.push("pod");
      values.push(pod.type ?? "");
    }
    const bad: string[] = [];
    for (const c of containers(spec)) {
      const p = c.securityContext?.appArmorProfile;
      if (p && !allowedType(p.type)) {
        bad.push(c.name);
        values.push(p.type ?? "");
      }
    }
    if (bad.length) setters.push(containerList(bad));
    const list = sortedSet(values);
    const annotations = Object.entries(meta.annotations ?? {})
      .filter(([k, v]) => k.startsWith(APPARMOR_ANNOTATION) && !(v === "" || v === "runtime/default" || v.startsWith("localhost/")))
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .sort();
    if (annotations.length) {
      list.push(...annotations);
      setters.push(pluralize("annotation", "annotations", annotations.length));
    }
    if (!setters.length) return undefined;
    return { reason: pluralize("forbidden AppArmor profile", "forbidden AppArmor profiles", list.length), detail: `${setters.join(" and ")} must not set AppArmor profile type to ${joinQuote(list)}` };
  },
};

const SELINUX_TYPES = new Set(["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"]);

const seLinuxOptions: Check = {
  id: "seLinuxOptions",
  level: "baseline",
  since: 0,
  run(_meta, spec) {
    const badTypes: string[] = [];
    let setUser = false;
    let setRole = false;
    const valid = (o: SeLinuxOptions): boolean => {
      let ok = true;
      if (!SELINUX_TYPES.has(o.type ?? "")) {
        ok = false;
        badTypes.push(o.type ?? "");
      }
      if (o.user) {
        ok = false;
        setUser = true;
      }
      if (o.role) {
        ok = false;
        setRole = true;
      }
      return ok;
    };
    const setters: string[] = [];
    const pod = podSecurity(spec)?.seLinuxOptions;
    if (pod && !valid(pod)) setters.push("pod");
    const bad = containers(spec).filter((c) => c.securityContext?.seLinuxOptions && !valid(c.securityContext.seLinuxOptions)).map((c) => c.name);
    if (bad.length) setters.push(containerList(bad));
    if (!setters.length) return undefined;
    const data: string[] = [];
    const types = sortedSet(badTypes);
    // As upstream: user and role are only named alongside a bad type.
    if (types.length) {
      data.push(`${pluralize("type", "types", types.length)} ${joinQuote(types)}`);
      if (setUser) data.push("user may not be set");
      if (setRole) data.push("role may not be set");
    }
    return { reason: "seLinuxOptions", detail: `${setters.join(" and ")} set forbidden securityContext.seLinuxOptions: ${data.join("; ")}` };
  },
};

const procMount: Check = {
  id: "procMount",
  level: "baseline",
  since: 0,
  run(_meta, spec) {
    const bad: string[] = [];
    const types: string[] = [];
    for (const c of containers(spec)) {
      const pm = c.securityContext?.procMount;
      if (pm !== undefined && pm !== "Default") {
        bad.push(c.name);
        types.push(pm);
      }
    }
    return bad.length ? { reason: "procMount", detail: `${containerList(bad)} must not set securityContext.procMount to ${joinQuote(sortedSet(types))}` } : undefined;
  },
};

const validSeccomp = (t: string | undefined): boolean => t === "RuntimeDefault" || t === "Localhost";

/** The seccomp profiles set to a forbidden type: who set them ("pod", `container "c"`) and the types. */
function badSeccomp(spec: PodSpec): { setters: string[]; values: string[]; implicit: string[] } {
  const setters: string[] = [];
  const values: string[] = [];
  const pod = podSecurity(spec)?.seccompProfile;
  let podSet = false;
  if (pod) {
    if (!validSeccomp(pod.type)) {
      setters.push("pod");
      values.push(pod.type ?? "");
    } else {
      podSet = true;
    }
  }
  const explicit: string[] = [];
  const implicit: string[] = [];
  for (const c of containers(spec)) {
    const p = c.securityContext?.seccompProfile;
    if (p) {
      if (!validSeccomp(p.type)) {
        explicit.push(c.name);
        values.push(p.type);
      }
    } else if (!podSet) {
      implicit.push(c.name);
    }
  }
  if (explicit.length) setters.push(containerList(explicit));
  return { setters, values: sortedSet(values), implicit };
}

const seccompBaseline: Check = {
  id: "seccompProfile_baseline",
  level: "baseline",
  since: 0,
  run(_meta, spec) {
    const { setters, values } = badSeccomp(spec);
    return setters.length ? { reason: "seccompProfile", detail: `${setters.join(" and ")} must not set securityContext.seccompProfile.type to ${joinQuote(values)}` } : undefined;
  },
};

/** The sysctls baseline allows, with the version that allowed each. */
const SYSCTLS: [string, number][] = [
  ["kernel.shm_rmid_forced", 0],
  ["net.ipv4.ip_local_port_range", 0],
  ["net.ipv4.tcp_syncookies", 0],
  ["net.ipv4.ping_group_range", 0],
  ["net.ipv4.ip_unprivileged_port_start", 0],
  ["net.ipv4.ip_local_reserved_ports", 27],
  ["net.ipv4.tcp_keepalive_time", 29],
  ["net.ipv4.tcp_fin_timeout", 29],
  ["net.ipv4.tcp_keepalive_intvl", 29],
  ["net.ipv4.tcp_keepalive_probes", 29],
];

/** The sysctls check of standard version 1.`minor`. */
function sysctls(minor: number): Check["run"] {
  const allowed = new Set(SYSCTLS.filter(([, since]) => since <= minor).map(([n]) => n));
  return (_meta, spec) => {
    const bad = (podSecurity(spec)?.sysctls ?? []).map((s) => s.name).filter((n) => !allowed.has(n));
    return bad.length ? { reason: "forbidden sysctls", detail: bad.join(", ") } : undefined;
  };
}

const windowsHostProcess: Check = {
  id: "windowsHostProcess",
  level: "baseline",
  since: 0,
  run(_meta, spec) {
    const setters: string[] = [];
    if (podSecurity(spec)?.windowsOptions?.hostProcess === true) setters.push("pod");
    const bad = containers(spec).filter((c) => c.securityContext?.windowsOptions?.hostProcess === true).map((c) => c.name);
    if (bad.length) setters.push(containerList(bad));
    return setters.length ? { reason: "hostProcess", detail: `${setters.join(" and ")} must not set securityContext.windowsOptions.hostProcess=true` } : undefined;
  },
};

const ALLOWED_VOLUME_KINDS = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];
/** The restricted volume types by field, in upstream's order of precedence; anything else is "unknown". */
const RESTRICTED_VOLUME_KINDS: [string, string][] = [
  ["hostPath", "hostPath"],
  ["gcePersistentDisk", "gcePersistentDisk"],
  ["awsElasticBlockStore", "awsElasticBlockStore"],
  ["gitRepo", "gitRepo"],
  ["nfs", "nfs"],
  ["iscsi", "iscsi"],
  ["glusterfs", "glusterfs"],
  ["rbd", "rbd"],
  ["flexVolume", "flexVolume"],
  ["cinder", "cinder"],
  ["cephfs", "cephfs"],
  ["flocker", "flocker"],
  ["fc", "fc"],
  ["azureFile", "azureFile"],
  ["vsphereVolume", "vsphereVolume"],
  ["quobyte", "quobyte"],
  ["azureDisk", "azureDisk"],
  ["photonPersistentDisk", "photonPersistentDisk"],
  ["portworxVolume", "portworxVolume"],
  ["scaleIO", "scaleIO"],
  ["storageos", "storageos"],
];

const restrictedVolumes: Check = {
  id: "restrictedVolumes",
  level: "restricted",
  since: 0,
  overrides: ["hostPathVolumes"],
  run(_meta, spec) {
    const bad: string[] = [];
    const types: string[] = [];
    for (const v of spec.volumes ?? []) {
      const fields = v as unknown as Record<string, unknown>;
      if (ALLOWED_VOLUME_KINDS.some((k) => fields[k] !== undefined && fields[k] !== null)) continue;
      bad.push(v.name);
      types.push(RESTRICTED_VOLUME_KINDS.find(([field]) => fields[field] !== undefined && fields[field] !== null)?.[1] ?? "unknown");
    }
    const list = sortedSet(types);
    return bad.length
      ? {
          reason: "restricted volume types",
          detail: `${pluralize("volume", "volumes", bad.length)} ${joinQuote(bad)} ${pluralize("uses", "use", bad.length)} ${pluralize("restricted volume type", "restricted volume types", list.length)} ${joinQuote(list)}`,
        }
      : undefined;
  },
};

const allowPrivilegeEscalation: Check = {
  id: "allowPrivilegeEscalation",
  level: "restricted",
  since: 8,
  run(_meta, spec) {
    if (windowsPod(spec)) return undefined;
    const bad = containers(spec).filter((c) => c.securityContext?.allowPrivilegeEscalation !== false).map((c) => c.name);
    return bad.length ? { reason: "allowPrivilegeEscalation != false", detail: `${containerList(bad)} must set securityContext.allowPrivilegeEscalation=false` } : undefined;
  },
};

const runAsNonRoot: Check = {
  id: "runAsNonRoot",
  level: "restricted",
  since: 0,
  run(_meta, spec) {
    const setters: string[] = [];
    const pod = podSecurity(spec)?.runAsNonRoot;
    if (pod === false) setters.push("pod");
    const podTrue = pod === true;
    const explicit: string[] = [];
    const implicit: string[] = [];
    for (const c of containers(spec)) {
      const v = c.securityContext?.runAsNonRoot;
      if (v === false) explicit.push(c.name);
      else if (v === undefined && !podTrue) implicit.push(c.name);
    }
    if (explicit.length) setters.push(containerList(explicit));
    if (setters.length) return { reason: "runAsNonRoot != true", detail: `${setters.join(" and ")} must not set securityContext.runAsNonRoot=false` };
    if (implicit.length) return { reason: "runAsNonRoot != true", detail: `pod or ${containerList(implicit)} must set securityContext.runAsNonRoot=true` };
    return undefined;
  },
};

const runAsUser: Check = {
  id: "runAsUser",
  level: "restricted",
  since: 23,
  run(_meta, spec) {
    const setters: string[] = [];
    if (podSecurity(spec)?.runAsUser === 0) setters.push("pod");
    const bad = containers(spec).filter((c) => c.securityContext?.runAsUser === 0).map((c) => c.name);
    if (bad.length) setters.push(containerList(bad));
    return setters.length ? { reason: "runAsUser=0", detail: `${setters.join(" and ")} must not set runAsUser=0` } : undefined;
  },
};

const seccompRestricted: Check = {
  id: "seccompProfile_restricted",
  level: "restricted",
  since: 19,
  overrides: ["seccompProfile_baseline"],
  run(_meta, spec) {
    if (windowsPod(spec)) return undefined;
    const { setters, values, implicit } = badSeccomp(spec);
    if (setters.length) return { reason: "seccompProfile", detail: `${setters.join(" and ")} must not set securityContext.seccompProfile.type to ${joinQuote(values)}` };
    if (implicit.length) return { reason: "seccompProfile", detail: `pod or ${containerList(implicit)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"` };
    return undefined;
  },
};

const capabilitiesRestricted: Check = {
  id: "capabilities_restricted",
  level: "restricted",
  since: 22,
  overrides: ["capabilities_baseline"],
  run(_meta, spec) {
    if (windowsPod(spec)) return undefined;
    const missingDrop: string[] = [];
    const adding: string[] = [];
    const caps: string[] = [];
    for (const c of containers(spec)) {
      const capabilities = c.securityContext?.capabilities;
      if (!capabilities) {
        missingDrop.push(c.name);
        continue;
      }
      if (!(capabilities.drop ?? []).includes("ALL")) missingDrop.push(c.name);
      const added = (capabilities.add ?? []).filter((x) => x !== "NET_BIND_SERVICE");
      if (added.length) adding.push(c.name);
      caps.push(...added);
    }
    const details: string[] = [];
    if (missingDrop.length) details.push(`${containerList(missingDrop)} must set securityContext.capabilities.drop=["ALL"]`);
    if (adding.length) details.push(`${containerList(adding)} must not include ${joinQuote(sortedSet(caps))} in securityContext.capabilities.add`);
    return details.length ? { reason: "unrestricted capabilities", detail: details.join("; ") } : undefined;
  },
};

/** Every check with its sysctls variant resolved per version by checksFor. */
const CHECKS: Check[] = [
  hostNamespaces,
  privileged,
  capabilitiesBaseline,
  hostPathVolumes,
  hostPorts,
  appArmorProfile,
  seLinuxOptions,
  procMount,
  seccompBaseline,
  { id: "sysctls", level: "baseline", since: 0, run: sysctls(Number.MAX_SAFE_INTEGER) },
  windowsHostProcess,
  restrictedVolumes,
  allowPrivilegeEscalation,
  runAsNonRoot,
  runAsUser,
  seccompRestricted,
  capabilitiesRestricted,
];

/** The newest minor version of the standards nodelet knows ("latest"). */
export const LATEST_MINOR = 32;

/**
 * The checks of `level` at standard version 1.`minor`, in upstream's order: baseline checks by id, then restricted
 * ones by id; at restricted, the baseline checks a restricted one overrides are left out.
 */
export function checksFor(level: Level, minor: number): Check[] {
  if (level === "privileged") return [];
  const v = Math.min(minor, LATEST_MINOR);
  const byId = (a: Check, b: Check) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const present = CHECKS.filter((c) => c.since <= v).map((c) => (c.id === "sysctls" ? { ...c, run: sysctls(v) } : c));
  const baseline = present.filter((c) => c.level === "baseline").sort(byId);
  if (level === "baseline") return baseline;
  const restricted = present.filter((c) => c.level === "restricted").sort(byId);
  const overridden = new Set(restricted.flatMap((c) => c.overrides ?? []));
  return [...baseline.filter((c) => !overridden.has(c.id)), ...restricted];
}
