/**
 * From a pod's container spec to everything the shim needs to start it (ContainerLaunch): command and environment,
 * user and groups, capabilities and the other security defaults containerd/runc apply, and the mounts (volumes, the
 * kubelet's /etc files, the termination log). Pure; every input that needs I/O is looked up by the caller.
 */
import { FieldError } from "../api/errors.js";
import type { Container, Pod, VolumeMount } from "../api/types.js";
import { containerCommand, envMap, expandShown, resolveEnvironment, type EnvSources, type ResolvedEnv } from "./container-env.js";
import { containerDeviceRules, volumeDeviceRules } from "./devices.js";
import type { Image } from "../api/image.js";
import { resolveImageUser, type GroupEntry, type PasswdEntry } from "../images/image-user.js";
import type { ContainerLaunch, ShimMount } from "./shim-argv.js";
import type { PreparedVolume } from "../storage/volume-plugin.js";

/** containerd's default capability set (oci/spec.go defaultUnixCaps). */
export const DEFAULT_CAPS = [
  "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
  "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
];

/** containerd's default masked and read-only paths (oci/spec.go populateDefaultUnixSpec). */
export const MASKED_PATHS = [
  "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
  "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap",
];
export const READONLY_PATHS = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"];

/** A volume of the pod, ready on the host (the storage layer has set it up). */
export interface LaunchInput {
  pod: Pod;
  container: Container;
  /** "spec.containers[0]" or "spec.initContainers[1]": field path for errors. */
  fieldPath: string;
  image: Image;
  /** The image's /etc/passwd and /etc/group, read inside the image root (ImageStore.imageUserFiles). */
  imageUsers: { passwd: PasswdEntry[]; group: GroupEntry[] };
  id: string;
  paths: {
    rootfs: string;
    upper: string;
    work: string;
    exitFile: string;
    logPath: string;
    terminationLog: string;
    /** The container's stdin FIFO and its monitor's control FIFO (used with `stdin` or `tty`). */
    stdinFifo: string;
    controlFifo: string;
    hosts: string;
    hostname: string;
    resolvConf: string;
    shm?: string;
  };
  cgroupDirs: string[];
  oomFile: string;
  sandboxPid: number;
  /** The hostname the sandbox's UTS namespace still needs (SandboxRecord.utsHostnamePending), set by this start. */
  utsHostname?: string;
  /** An ephemeral container's targetContainerName, running as this host pid: its PID namespace is joined. */
  targetPid?: number;
  volumes: Map<string, PreparedVolume>;
  env: EnvSources;
  log: { maxSize: number; maxFiles: number };
  /** The seccomp program written for this container (seccomp/seccomp-profiles.ts); none = unconfined. */
  seccompFile?: string;
  /** cgroup v2: where the shim attaches the device program (CgroupManager.deviceFilterDir); v1 needs none. */
  deviceFilterDir?: string;
  /** The hierarchies the container sees at /sys/fs/cgroup (CgroupManager.containerView). */
  cgroupView?: string[];
}

export function buildContainerLaunch(input: LaunchInput): ContainerLaunch {
  const { pod, container: c, image, paths } = input;
  const resolved = resolveEnvironment(pod, c, image.config.Env ?? [], input.env);
  const env = resolved.env;
  const { argv, shown } = containerCommand(c, image.config, resolved);
  if (argv.length === 0) {
    throw new FieldError(`${input.fieldPath}.command`, "no command specified and the image has no Entrypoint or Cmd");
  }
  const sc = c.securityContext ?? {};
  const privileged = sc.privileged === true;
  const user = resolveUser(input);
  return {
    id: input.id,
    logPath: paths.logPath,
    logMaxSize: input.log.maxSize,
    logMaxFiles: input.log.maxFiles,
    exitFile: paths.exitFile,
    oomFile: input.oomFile,
    cgroups: input.cgroupDirs,
    namespaces: sandboxNamespaces(pod, input.sandboxPid, input.targetPid),
    ...(input.utsHostname !== undefined && !pod.spec.hostNetwork ? { utsHostname: input.utsHostname } : {}),
    rootfs: paths.rootfs,
    lowerDirs: image.lowerDirs,
    upperDir: paths.upper,
    workDir: paths.work,
    readonlyRootfs: sc.readOnlyRootFilesystem === true,
    shmDir: pod.spec.hostIPC ? undefined : paths.shm,
    // nodev: a device node in a volume (a hostPath of /dev, or one made there by another pod) opens nothing;
    // the container's own /dev holds the allowed nodes (the device cgroup decides what opens there).
    mounts: [...containerMounts(input, resolved).map((m) => (privileged ? m : { ...m, options: [...m.options, "nodev"] })), ...deviceMounts(input)],
    masked: privileged || sc.procMount === "Unmasked" ? [] : MASKED_PATHS,
    readonly: privileged || sc.procMount === "Unmasked" ? [] : READONLY_PATHS,
    cwd: c.workingDir || image.config.WorkingDir || "/",
    env,
    uid: user.uid,
    gid: user.gid,
    groups: user.groups,
    caps: capabilities(c, input.fieldPath),
    noNewPrivs: !privileged && sc.allowPrivilegeEscalation !== true,
    privileged,
    seccompFile: input.seccompFile,
    deviceFilter: deviceFilter(input.deviceFilterDir, privileged, volumeDeviceRules(c, input.volumes)),
    cgroupView: input.cgroupView ?? [],
    ...attachFlags(c, paths),
    argv,
    shownArgv: shown,
  };
}

/** stdin and tty as the monitor takes them: the control FIFO is there whenever an attach can change something. */
function attachFlags(c: Container, paths: LaunchInput["paths"]): Pick<ContainerLaunch, "stdinFifo" | "tty" | "controlFifo"> {
  return {
    ...(c.stdin ? { stdinFifo: paths.stdinFifo } : {}),
    ...(c.tty ? { tty: true } : {}),
    ...(c.stdin || c.tty ? { controlFifo: paths.controlFifo } : {}),
  };
}

function deviceFilter(dir: string | undefined, privileged: boolean, extra: string[]): ContainerLaunch["deviceFilter"] {
  const rules = containerDeviceRules(privileged, extra);
  return dir && rules ? { cgroupDir: dir, rules } : undefined;
}

/**
 * The sandbox namespaces a container joins; host namespaces are simply not joined. The PID namespace is the host's
 * (hostPID), the pod's (shareProcessNamespace), a target container's (an ephemeral container with
 * targetContainerName: the kubelet's NamespaceMode TARGET), or the container's own.
 */
function sandboxNamespaces(pod: Pod, pid: number, targetPid: number | undefined): ContainerLaunch["namespaces"] {
  const ns: ContainerLaunch["namespaces"] = [];
  const path = (t: string) => `/proc/${pid}/ns/${t}`;
  if (!pod.spec.hostNetwork) ns.push({ type: "net", path: path("net") }, { type: "uts", path: path("uts") });
  if (!pod.spec.hostIPC) ns.push({ type: "ipc", path: path("ipc") });
  if (pod.spec.hostPID) ns.push({ type: "pid", path: "/proc/1/ns/pid" });
  else if (pod.spec.shareProcessNamespace) ns.push({ type: "pid", path: path("pid") });
  else if (targetPid !== undefined) ns.push({ type: "pid", path: `/proc/${targetPid}/ns/pid` });
  // The container init joins it last, after its idmapped mounts (shim/userns.h).
  if (pod.spec.hostUsers === false) ns.push({ type: "user", path: path("user") });
  return ns;
}

/** Kept capabilities: containerd's defaults, plus `add`, minus `drop` ("ALL" allowed in both). */
export function capabilities(c: Container, fieldPath: string): string[] {
  const norm = (name: string, field: string) => {
    const upper = name.toUpperCase();
    const full = upper === "ALL" ? "ALL" : upper.startsWith("CAP_") ? upper : `CAP_${upper}`;
    if (full !== "ALL" && !/^CAP_[A-Z_]+$/.test(full)) throw new FieldError(field, `invalid capability "${name}"`);
    return full;
  };
  const add = (c.securityContext?.capabilities?.add ?? []).map((n, i) => norm(n, `${fieldPath}.securityContext.capabilities.add[${i}]`));
  const drop = (c.securityContext?.capabilities?.drop ?? []).map((n, i) => norm(n, `${fieldPath}.securityContext.capabilities.drop[${i}]`));
  let caps = drop.includes("ALL") ? [] : DEFAULT_CAPS.filter((x) => !drop.includes(x));
  if (add.includes("ALL")) caps = ["ALL"];
  else for (const a of add) if (!caps.includes(a)) caps.push(a);
  return caps;
}

/**
 * uid/gid/groups: securityContext (container over pod) first, then the image's USER (a number or a name from its
 * /etc/passwd, optionally ":group"), else root. runAsNonRoot refuses uid 0, as the kubelet does before starting.
 */
function resolveUser(input: LaunchInput): { uid: number; gid: number; groups: number[] } {
  const sc = input.container.securityContext ?? {};
  const psc = input.pod.spec.securityContext ?? {};
  let resolved;
  try {
    resolved = resolveImageUser(input.image.config.User ?? "", input.imageUsers.passwd, input.imageUsers.group, sc.runAsUser ?? psc.runAsUser);
  } catch (err) {
    throw new FieldError(`${input.fieldPath}`, (err as Error).message);
  }
  const uid = resolved.uid;
  const gid = sc.runAsGroup ?? psc.runAsGroup ?? resolved.gid;
  if ((sc.runAsNonRoot ?? psc.runAsNonRoot) && uid === 0) {
    const p = input.pod.metadata;
    throw new FieldError(
      `${input.fieldPath}.securityContext.runAsNonRoot`,
      `container has runAsNonRoot and image will run as root (pod: "${p.name}_${p.namespace}(${p.uid})", container: ${input.container.name})`,
    );
  }
  // containerd's WithAdditionalGIDs: the image's groups of the user, then the pod's supplemental groups and fsGroup.
  const groups = [...resolved.additionalGids];
  for (const g of [...(psc.supplementalGroups ?? []), ...(psc.fsGroup !== undefined ? [psc.fsGroup] : [])]) if (!groups.includes(g)) groups.push(g);
  return { uid, gid, groups };
}

/** Volume mounts, the kubelet's /etc files and the termination log, parents before children. */
function containerMounts(input: LaunchInput, env: ResolvedEnv): ShimMount[] {
  const { container: c, paths } = input;
  const mounts: ShimMount[] = (c.volumeMounts ?? []).map((vm, i) => volumeMount(input, vm, i, env));
  const taken = new Set(mounts.map((m) => m.target));
  const own = (target: string, source: string, options: string[] = ["rw"]) => {
    if (!taken.has(target)) mounts.push({ kind: "bind", source, target, options });
  };
  own("/etc/hosts", paths.hosts);
  own("/etc/hostname", paths.hostname);
  own("/etc/resolv.conf", paths.resolvConf);
  own(c.terminationMessagePath || "/dev/termination-log", paths.terminationLog);
  const depth = (p: string) => p.split("/").filter(Boolean).length;
  return mounts.map((m, i) => ({ m, i })).sort((a, b) => depth(a.m.target) - depth(b.m.target) || a.i - b.i).map((x) => x.m);
}

/**
 * volumeDevices: the block device of each volume bound on devicePath, after /dev is made and without nodev (the
 * device cgroup, volumeDeviceRules, lets this container open exactly these devices).
 */
function deviceMounts(input: LaunchInput): ShimMount[] {
  return (input.container.volumeDevices ?? []).map((d, i) => {
    const field = `${input.fieldPath}.volumeDevices[${i}]`;
    const vol = input.volumes.get(d.name);
    if (!vol) throw new FieldError(`${field}.name`, `volume "${d.name}" is not prepared for this pod`);
    if (!vol.device) throw new FieldError(`${field}.name`, `volume "${d.name}" is not a block volume (volumeMode: Block)`);
    return { kind: "bind", source: vol.hostPath, target: d.devicePath, options: [vol.readOnly ? "ro" : "rw", "rprivate"] };
  });
}

function volumeMount(input: LaunchInput, vm: VolumeMount, i: number, env: ResolvedEnv): ShimMount {
  const field = `${input.fieldPath}.volumeMounts[${i}]`;
  const vol = input.volumes.get(vm.name);
  if (!vol) throw new FieldError(`${field}.name`, `volume "${vm.name}" is not prepared for this pod`);
  if (vol.device) throw new FieldError(`${field}.name`, `volume "${vm.name}" has volumeMode Block: use it in volumeDevices, not volumeMounts`);
  const options = [vm.readOnly || vol.readOnly ? "ro" : "rw"];
  if (vm.mountPropagation === "HostToContainer") options.push("rslave");
  else if (vm.mountPropagation === "Bidirectional") options.push("rshared");
  else options.push("rprivate");
  // subPathExpr may read a Secret's variable: records and errors show the expression, not its value.
  const expanded = vm.subPathExpr ? expandShown(vm.subPathExpr, envMap(env.env), env.secret) : undefined;
  const subPath = expanded ? expanded.value : vm.subPath;
  if (subPath) {
    const shown = expanded?.shown ?? subPath;
    if (subPath.startsWith("/") || subPath.split("/").includes("..")) {
      throw new FieldError(`${field}.subPath`, `subPath "${shown}" escapes the volume`);
    }
    return { kind: "bind-sub", volumeRoot: vol.hostPath, subPath, target: vm.mountPath, options, ...(shown !== subPath ? { shownSubPath: shown } : {}) };
  }
  return { kind: "bind", source: vol.hostPath, target: vm.mountPath, options };
}

