/**
 * What the shim is asked to do, as data, and its rendering to argv (effects are data: DESIGN.md rule 2). The
 * shim's modes and flags are documented in shim/README.md; these renderers are the only place the daemon spells
 * them, and `nodelet explain` prints the same argv.
 *
 * A container's command, environment and mounts are not put on argv, which every host user reads in `ps`: monitor
 * and exec get only identification there (`--id`, `--target`) and `--spec-fd N`, and the rest, the same flags as
 * words, on a pipe (ShimCommand.spec, sent NUL-terminated by encodeSpec).
 */

/** A shim invocation: argv (world-readable: identification only) and the flags it reads from its spec fd. */
export interface ShimCommand {
  argv: string[];
  spec: string[];
  /**
   * The spec as records show it, where it differs (a command word or subPath expanded from a Secret's variable,
   * shown as the pod spec writes it); redactedSpec still drops the environment's values.
   */
  shown?: string[];
}

/** The fd the monitor reads its spec from (its stdin: the container's stdin is /dev/null or the FIFO). */
export const MONITOR_SPEC_FD = 0;
/** The fd exec reads its spec from (0-2 are the command's stdio, 3 carries a TTY's window sizes). */
export const EXEC_SPEC_FD = 4;

/** The spec as the shim reads it: each word NUL-terminated. A word holding a NUL could not reach execve intact. */
export function encodeSpec(words: string[]): Buffer {
  for (const w of words) {
    if (w.includes("\0")) throw new Error(`the container spec holds a NUL byte in ${JSON.stringify(w.split("=")[0].slice(0, 64))}`);
  }
  return Buffer.from(words.map((w) => `${w}\0`).join(""));
}

/**
 * The spec as the pod's explain file records it: environment values are left out (they can be secrets, and that
 * file is on disk), names kept; the command and subPaths as `cmd.shown` has them.
 */
export function redactedSpec(cmd: ShimCommand): string[] {
  const words = cmd.shown ?? cmd.spec;
  return words.map((w, i) => (words[i - 1] === "--env" ? `${w.split("=")[0]}=…` : w));
}

/** One mount the shim makes inside the container's mount namespace. */
export type ShimMount =
  | { kind: "bind"; source: string; target: string; options: string[] }
  | { kind: "bind-sub"; volumeRoot: string; subPath: string; target: string; options: string[]; shownSubPath?: string }
  | { kind: "tmpfs"; target: string; options: string[] };

export interface ContainerLaunch extends ProcessIdentity {
  id: string;
  logPath: string;
  logMaxSize: number;
  logMaxFiles: number;
  exitFile: string;
  oomFile: string;
  cgroups: string[];
  /** Namespaces of the sandbox to join: net, uts, ipc, and pid when the pod shares one. */
  namespaces: { type: "net" | "uts" | "ipc" | "pid" | "user"; path: string }[];
  /** The hostname the joined UTS namespace is given before the init runs (a claimed warm sandbox's first container). */
  utsHostname?: string;
  rootfs: string;
  lowerDirs: string[];
  upperDir: string;
  workDir: string;
  readonlyRootfs: boolean;
  shmDir?: string;
  mounts: ShimMount[];
  masked: string[];
  readonly: string[];
  /** `stdin: true`: the FIFO the container reads (through its terminal with `tty`); the monitor holds it open. */
  stdinFifo?: string;
  /** `tty: true`: the container's stdio is a terminal of its own devpts; its output is logged as stdout. */
  tty?: boolean;
  /** Resizes and stdinOnce's close reach the monitor here (shim/monitor_attach.h). */
  controlFifo?: string;
  /** The container's own cgroups at /sys/fs/cgroup, in a cgroup namespace (CgroupManager.containerView). */
  cgroupView: string[];
  /** cgroup v2: the BPF device program (allowing exactly these rules) the shim attaches to this cgroup directory. */
  deviceFilter?: { cgroupDir: string; rules: string[] };
  argv: string[];
  /** argv as records show it (words expanded from a Secret's variable as the pod spec writes them); unset = argv. */
  shownArgv?: string[];
}

export function monitorCommand(shim: string, l: ContainerLaunch): ShimCommand {
  const spec = monitorSpec(l, false);
  const shown = monitorSpec(l, true);
  const differs = shown.some((w, i) => w !== spec[i]);
  return { argv: [shim, "monitor", "--id", l.id, "--spec-fd", String(MONITOR_SPEC_FD)], spec, ...(differs ? { shown } : {}) };
}

/** The monitor's spec words; `shown`: as records show them (ContainerLaunch.shownArgv, ShimMount shownSubPath). */
function monitorSpec(l: ContainerLaunch, shown: boolean): string[] {
  const a = ["--log", l.logPath];
  a.push("--log-max-size", String(l.logMaxSize), "--log-max-files", String(l.logMaxFiles));
  a.push("--exit-file", l.exitFile, "--oom-file", l.oomFile);
  for (const cg of l.cgroups) a.push("--cgroup", cg);
  for (const ns of l.namespaces) a.push("--ns", `${ns.type}:${ns.path}`);
  if (l.utsHostname !== undefined) a.push("--uts-hostname", l.utsHostname);
  a.push("--rootfs", l.rootfs);
  if (l.lowerDirs.length) a.push("--lower", l.lowerDirs.join(":"), "--upper", l.upperDir, "--work", l.workDir);
  if (l.readonlyRootfs) a.push("--readonly-rootfs");
  if (l.shmDir) a.push("--shm", l.shmDir);
  for (const m of l.mounts) a.push(...mountArgs(shown && m.kind === "bind-sub" && m.shownSubPath !== undefined ? { ...m, subPath: m.shownSubPath } : m));
  for (const p of l.masked) a.push("--masked", p);
  for (const p of l.readonly) a.push("--readonly", p);
  if (l.stdinFifo) a.push("--stdin-fifo", l.stdinFifo);
  if (l.tty) a.push("--tty");
  if (l.controlFifo) a.push("--control-fifo", l.controlFifo);
  for (const v of l.cgroupView) a.push("--cgroupfs", v);
  if (l.deviceFilter) a.push("--device-cgroup", l.deviceFilter.cgroupDir, ...l.deviceFilter.rules.flatMap((r) => ["--device", r]));
  a.push(...processArgs(l));
  if (!shown) for (const [text, instead] of redactions(l)) a.push("--redact", text, instead);
  return [...a, "--", ...(shown ? (l.shownArgv ?? l.argv) : l.argv)];
}

/**
 * What the shim's error texts must not show, with what to show instead: the command's first word and subPaths (the
 * only words of the spec its errors name) where they were expanded from a Secret's variable.
 */
function redactions(l: ContainerLaunch): [string, string][] {
  const out: [string, string][] = [];
  const [first, shownFirst] = [l.argv[0], l.shownArgv?.[0]];
  if (first && shownFirst !== undefined && shownFirst !== first) out.push([first, shownFirst]);
  for (const m of l.mounts) if (m.kind === "bind-sub" && m.shownSubPath !== undefined) out.push([m.subPath, m.shownSubPath]);
  return out;
}

function mountArgs(m: ShimMount): string[] {
  const opts = m.options.join(",") || "rw";
  switch (m.kind) {
    case "bind":
      return ["--bind", m.source, m.target, opts];
    case "bind-sub":
      return ["--bind-sub", m.volumeRoot, m.subPath, m.target, opts];
    case "tmpfs":
      return ["--tmpfs", m.target, opts];
  }
}

/** The identity and privileges of a process: shared by monitor (the container) and exec. */
export interface ProcessIdentity {
  cwd: string;
  env: string[];
  uid: number;
  gid: number;
  groups: number[];
  caps: string[];
  noNewPrivs: boolean;
  privileged: boolean;
  /** The container's seccomp program (a 0600 file in its state dir, seccomp-compile's output); none = unconfined. */
  seccompFile?: string;
}

function processArgs(p: ProcessIdentity): string[] {
  const a = ["--cwd", p.cwd];
  for (const e of p.env) a.push("--env", e);
  a.push("--uid", String(p.uid), "--gid", String(p.gid));
  if (p.groups.length) a.push("--groups", p.groups.join(","));
  if (p.privileged) a.push("--privileged");
  else for (const c of p.caps) a.push("--cap", c);
  if (p.noNewPrivs) a.push("--no-new-privs");
  if (p.seccompFile) a.push("--seccomp", p.seccompFile);
  return a;
}

export interface ExecLaunch extends ProcessIdentity {
  targetPid: number;
  cgroups: string[];
  tty: boolean;
  timeoutSeconds?: number;
  argv: string[];
}

export function execCommand(shim: string, e: ExecLaunch): ShimCommand {
  const a: string[] = [];
  for (const cg of e.cgroups) a.push("--cgroup", cg);
  if (e.tty) a.push("--tty");
  if (e.timeoutSeconds !== undefined) a.push("--timeout", String(e.timeoutSeconds));
  a.push(...processArgs(e));
  return { argv: [shim, "exec", "--target", String(e.targetPid), "--spec-fd", String(EXEC_SPEC_FD)], spec: [...a, "--", ...e.argv] };
}

export interface SandboxLaunch {
  hostname: string;
  sharePid: boolean;
  hostNetwork: boolean;
  hostIPC: boolean;
  /** The cgroup directories the pause process is born in. */
  cgroups: string[];
  /** The pod's /dev/shm tmpfs, mounted by the sandbox on this host directory. */
  shm?: { dir: string; size: number };
  /** The network's flags (--veth ...), when the sandbox makes the pod's interface itself. */
  network?: string[];
  /** The pod's own user namespace (hostUsers: false): its IDs 0.. are the host's hostId.. */
  userns?: { hostId: number; size: number };
}

export function sandboxArgv(shim: string, s: SandboxLaunch): string[] {
  const a = [shim, "sandbox", "--hostname", s.hostname];
  for (const cg of s.cgroups) a.push("--cgroup", cg);
  if (s.shm) a.push("--shm", s.shm.dir, "--shm-size", String(s.shm.size));
  if (s.network) a.push(...s.network);
  if (s.sharePid) a.push("--share-pid");
  if (s.hostNetwork) a.push("--host-network");
  if (s.hostIPC) a.push("--host-ipc");
  if (s.userns) a.push("--userns-map", `${s.userns.hostId}:${s.userns.size}`);
  return a;
}
