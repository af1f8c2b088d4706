/**
 * The runtime's view of the node, in the CRI's terms: pod sandboxes and containers, each with a persisted record
 * (so a restarted daemon re-adopts them), and the PodRuntime interface the kubelet drives. The Linux
 * implementation is linux-runtime.ts; tests of the kubelet use a fake.
 */
import type { ContainerAttachment } from "./container-attach.js";
import type { Container, Pod } from "../api/types.js";
import type { ExecOptions, ExecSession } from "../api/pod-io.js";
import type { CgroupUsage } from "../sys/cgroups/types.js";
import type { EnvSources } from "./container-env.js";
import type { ProcessIdentity } from "./shim-argv.js";
import type { UsernsRange } from "./userns-ranges.js";

export interface SandboxRecord {
  podUid: string;
  namespace: string;
  name: string;
  /** The pause process (host pid) and its start time, which together identify it across pid reuse. */
  pid: number;
  pidStartTime?: number;
  createdAt: string;
  hostname: string;
  /** Pod cgroup path relative to the cgroup manager's parent. */
  cgroupPath: string;
  hostNetwork: boolean;
  sharePid: boolean;
  hostIPC: boolean;
  ips: string[];
  /** ready while the pause process lives; notready once stopped or found dead. */
  state: "ready" | "notready";
  /** Network attachment owned by the network layer (veth name, lease), kept to tear it down. */
  network?: Record<string, string>;
  /** The pod's own user namespace (hostUsers: false): host IDs held until the pod is removed (userns-ranges.ts). */
  userns?: UsernsRange;
  /** A warm sandbox not claimed yet (warm-sandboxes.ts): no pod's; the runtime lists it nowhere. */
  warm?: boolean;
  /**
   * A claimed warm sandbox's UTS namespace still has the warm name: the next container start sets `hostname` there
   * (shim monitor --uts-hostname, in the process that joins the pod) before its init runs; cleared once one started.
   */
  utsHostnamePending?: boolean;
}

export type ContainerState = "created" | "running" | "exited";

export interface ContainerRecord {
  id: string;
  podUid: string;
  name: string;
  /** 0 for the first run of this container in this pod, then 1, 2, ... (restartCount). */
  attempt: number;
  init: boolean;
  image: string;
  imageId: string;
  /** Hash of the container's spec: a changed spec means the container must be replaced. */
  specHash: string;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  pid?: number;
  pidStartTime?: number;
  monitorPid?: number;
  /** The monitor's start time (/proc/PID/stat field 22): its pidfd is trusted only for that process. */
  monitorStartTime?: number;
  state: ContainerState;
  exitCode?: number;
  signal?: number;
  reason?: string;
  message?: string;
  oomKilled?: boolean;
  logPath: string;
  cgroupPath: string;
  /** uid/gid/caps/env of the container, reused by exec. */
  process: ProcessIdentity;
  /**
   * The environment holds values read from Secrets: it is kept on the pod's tmpfs (Layout.containerEnvFile), and
   * the record on disk has an empty env.
   */
  secretEnv?: boolean;
  stopSignal?: string;
  /** The container's terminationMessagePolicy, read when it exits (FallbackToLogsOnError reads the log's end). */
  terminationMessagePolicy?: string;
}

/** The shim's exit file (see shim/README.md). */
export interface ExitRecord {
  exitCode: number;
  signal: number;
  oomKilled: boolean;
  reason: string;
  message?: string;
  startedAt?: string;
  finishedAt: string;
  pid?: number;
}

export interface StartContainerOptions {
  attempt: number;
  init: boolean;
  env: EnvSources;
  /** The kubelet's hash of the container's spec (kubelet/container-hash.ts), kept in the record. */
  specHash: string;
}

/** What the kubelet decides about a sandbox (CRI's PodSandboxConfig): where its cgroup goes. */
export interface SandboxOptions {
  /** The pod's cgroup, relative to the cgroup manager's parent (kubelet/pod-cgroup.ts). */
  cgroupPath: string;
}

export type RuntimeEvent =
  | { type: "ContainerStarted"; podUid: string; containerId: string }
  | { type: "ContainerDied"; podUid: string; containerId: string }
  | { type: "SandboxDied"; podUid: string }
  /** The pod found the warm sandboxes it could take broken (or its claim failed): they were removed and its sandbox is made the normal way. */
  | { type: "WarmSandboxDiscarded"; podUid: string; message: string }
  /** A container's monitor died before it (killed, crashed); ContainerDied follows with the exit as known. */
  | { type: "MonitorLost"; podUid: string; containerId: string; name: string; message: string }
  /** A container's exit record could not be read or was corrupt: the container is held as it is (exit-watcher.ts). */
  | { type: "ExitRecordUnreadable"; podUid: string; containerId: string; name: string; message: string };

export type { ContainerAttachment };

export interface PodRuntime {
  /** Loads persisted records, reconciles them with the processes alive now, starts watching for exits. */
  start(): Promise<void>;
  stop(): Promise<void>;
  onEvent(listener: (ev: RuntimeEvent) => void): void;

  sandbox(podUid: string): SandboxRecord | undefined;
  sandboxes(): SandboxRecord[];
  containers(podUid?: string): ContainerRecord[];
  container(id: string): ContainerRecord | undefined;

  runSandbox(pod: Pod, opts: SandboxOptions): Promise<SandboxRecord>;
  /** Kills the sandbox's pause process (its namespaces go with it); containers must be stopped first. */
  stopSandbox(podUid: string): Promise<void>;
  /** Removes everything of the pod from the host: containers, volumes, cgroups, files, logs. Idempotent. */
  removeSandbox(podUid: string, pod?: Pod): Promise<void>;
  /**
   * Releases the volumes and shared memory of a pod whose containers and sandbox have stopped, keeping its records
   * and logs (an evicted pod stays listed, Failed, until it is deleted). Idempotent.
   */
  releasePodResources?(pod: Pod): Promise<void>;
  /** Brings the pod's configMap/secret/downwardAPI/projected volumes up to date with the API (a running pod). */
  refreshVolumes?(pod: Pod): Promise<void>;

  startContainer(pod: Pod, container: Container, opts: StartContainerOptions): Promise<ContainerRecord>;
  /** Signals the container (its image's stop signal, else SIGTERM), waits up to graceSeconds, then SIGKILL. */
  stopContainer(id: string, graceSeconds: number): Promise<void>;
  removeContainer(id: string): Promise<void>;
  /** Resolves true once the container has exited (at once if it already has), false after timeoutMs. */
  waitForExit(id: string, timeoutMs: number): Promise<boolean>;

  exec(id: string, opts: Omit<ExecOptions, "container">, timeoutSeconds?: number): Promise<ExecSession>;
  /** The container's stdin and terminal for an attach session (nothing is opened until asked). */
  attach(id: string): ContainerAttachment;
  usage(id: string): Promise<CgroupUsage>;
  podUsage(podUid: string): Promise<CgroupUsage>;
}

/** The error a container start fails with, carrying the kubelet's waiting reason. */
export class ContainerStartError extends Error {
  constructor(
    readonly reason: "CreateContainerConfigError" | "CreateContainerError" | "RunContainerError" | "ErrImageNeverPull" | "ErrImagePull" | "StartError",
    message: string,
  ) {
    super(message);
    this.name = "ContainerStartError";
  }
}
