/**
 * An in-memory PodRuntime for unit tests of the kubelet's control loop: sandboxes and containers are records,
 * exits happen when the test says (exit()) or when the kubelet stops a container, and exec runs a handler the
 * test gives. Every call is logged in order (`calls`), so tests can check what the kubelet did and in what order.
 */
import { PassThrough } from "node:stream";
import { finished } from "node:stream/promises";
import type { Container, Pod } from "../../src/api/types.js";
import type { ExecOptions, ExecSession } from "../../src/api/pod-io.js";
import {
  ContainerStartError,
  type ContainerAttachment,
  type ContainerRecord,
  type PodRuntime,
  type RuntimeEvent,
  type SandboxRecord,
  type StartContainerOptions,
} from "../../src/runtime/pod-runtime.js";
import type { CgroupUsage } from "../../src/sys/cgroups/types.js";
import type { Clock } from "../../src/kubelet/clock.js";

export interface ExecReply {
  exitCode: number;
  stdout?: string;
  stderr?: string;
  /** Resolves the exec only when this promise does (a hanging command). */
  hang?: Promise<void>;
}

export class FakeRuntime implements PodRuntime {
  readonly sandboxRecords = new Map<string, SandboxRecord>();
  readonly records = new Map<string, ContainerRecord>();
  readonly calls: string[] = [];
  private readonly listeners: ((ev: RuntimeEvent) => void)[] = [];
  private nextId = 0;
  /** Answers exec calls: (container name, command) → reply. */
  onExec: (name: string, command: string[]) => ExecReply = () => ({ exitCode: 0 });
  /** Containers (by name) that exit at once with 0 when they get SIGTERM; others need SIGKILL after the grace. */
  polite = new Set<string>();

  constructor(private readonly clock: Clock) {}

  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  onEvent(l: (ev: RuntimeEvent) => void): void {
    this.listeners.push(l);
  }
  private emit(ev: RuntimeEvent): void {
    for (const l of this.listeners) l(ev);
  }
  private iso(): string {
    return new Date(this.clock.now()).toISOString();
  }

  sandbox(uid: string) {
    return this.sandboxRecords.get(uid);
  }
  sandboxes() {
    return [...this.sandboxRecords.values()];
  }
  containers(uid?: string) {
    const all = [...this.records.values()];
    return uid ? all.filter((c) => c.podUid === uid) : all;
  }
  container(id: string) {
    return this.records.get(id);
  }

  async runSandbox(pod: Pod): Promise<SandboxRecord> {
    const uid = pod.metadata.uid!;
    this.calls.push(`runSandbox ${pod.metadata.name}`);
    const s: SandboxRecord = {
      podUid: uid, namespace: pod.metadata.namespace ?? "default", name: pod.metadata.name!, pid: 1, createdAt: this.iso(),
      hostname: pod.metadata.name!, cgroupPath: `pod${uid}`, hostNetwork: false, sharePid: false, hostIPC: false, ips: ["127.0.0.1"], state: "ready",
    };
    this.sandboxRecords.set(uid, s);
    return s;
  }
  async stopSandbox(uid: string): Promise<void> {
    const s = this.sandboxRecords.get(uid);
    if (s) s.state = "notready";
  }
  async removeSandbox(uid: string): Promise<void> {
    this.calls.push(`removeSandbox ${this.sandboxRecords.get(uid)?.name ?? uid}`);
    for (const c of this.containers(uid)) this.records.delete(c.id);
    this.sandboxRecords.delete(uid);
  }

  async startContainer(pod: Pod, c: Container, opts: StartContainerOptions): Promise<ContainerRecord> {
    if (c.image === "missing") throw new ContainerStartError("ErrImageNeverPull", `Container image "missing" is not present with pull policy of Never`);
    const id = `${c.name}-${opts.attempt}-${this.nextId++}`;
    this.calls.push(`start ${c.name}#${opts.attempt}`);
    const now = this.iso();
    const r: ContainerRecord = {
      id, podUid: pod.metadata.uid!, name: c.name, attempt: opts.attempt, init: opts.init, image: c.image ?? "", imageId: "sha256:x",
      specHash: opts.specHash, createdAt: now, startedAt: now, state: "running", logPath: "/dev/null", cgroupPath: "x",
      process: { uid: 0, gid: 0, groups: [], caps: [], noNewPrivs: true, privileged: false, env: [], cwd: "/" },
    };
    this.records.set(id, r);
    this.emit({ type: "ContainerStarted", podUid: r.podUid, containerId: id });
    return r;
  }

  /** The test's container exits by itself. */
  exit(id: string, exitCode: number): void {
    const r = this.records.get(id);
    if (!r || r.state === "exited") return;
    Object.assign(r, { state: "exited", exitCode, finishedAt: this.iso(), reason: exitCode === 0 ? "Completed" : "Error" });
    this.emit({ type: "ContainerDied", podUid: r.podUid, containerId: id });
  }

  /** The newest instance of a container name in a pod. */
  latest(uid: string, name: string): ContainerRecord | undefined {
    return this.containers(uid).filter((c) => c.name === name).sort((a, b) => b.attempt - a.attempt)[0];
  }

  async stopContainer(id: string, grace: number): Promise<void> {
    const r = this.records.get(id);
    if (!r || r.state !== "running") return;
    this.calls.push(`stop ${r.name} grace=${grace}`);
    if (grace > 0 && this.polite.has(r.name)) {
      this.exit(id, 0);
      return;
    }
    await new Promise<void>((resolve) => this.clock.setTimeout(resolve, grace * 1000));
    this.exit(id, 137);
  }
  async waitForExit(id: string, timeoutMs: number): Promise<boolean> {
    const deadline = this.clock.now() + timeoutMs;
    while (this.records.get(id)?.state === "running" && this.clock.now() < deadline) {
      await new Promise<void>((r) => this.clock.setTimeout(r, 10));
    }
    return this.records.get(id)?.state !== "running";
  }
  /** A container's log file, for tests that read it (attach, logs); "/dev/null" otherwise. */
  setLogPath(id: string, path: string): void {
    const r = this.records.get(id);
    if (r) r.logPath = path;
  }
  async removeContainer(id: string): Promise<void> {
    this.calls.push(`remove ${this.records.get(id)?.name}#${this.records.get(id)?.attempt}`);
    this.records.delete(id);
  }

  async exec(id: string, opts: Omit<ExecOptions, "container">, timeoutSeconds?: number): Promise<ExecSession> {
    const r = this.records.get(id);
    if (!r || r.state !== "running") throw new ContainerStartError("RunContainerError", "container is not running");
    this.calls.push(`exec ${r.name} ${opts.command.join(" ")}`);
    const reply = this.onExec(r.name, opts.command);
    const stderr = new PassThrough();
    const stdout = new PassThrough();
    const timeout = new Promise<number>((resolve) => {
      if (timeoutSeconds !== undefined) this.clock.setTimeout(() => resolve(-1), timeoutSeconds * 1000);
    });
    let killed!: (code: number) => void;
    const kill = new Promise<number>((resolve) => (killed = resolve));
    // As with the shim, the exit is known once the output has been read to its end.
    const exit = Promise.race([(reply.hang ?? Promise.resolve()).then(() => reply.exitCode), timeout, kill]).then(async (code) => {
      stdout.end(code === -1 ? "" : reply.stdout ?? "");
      stderr.end(code === -1 ? `nodelet-shim exec: timed out after ${timeoutSeconds}s, killed the command\n` : reply.stderr ?? "");
      await Promise.all([finished(stdout), finished(stderr)]);
      return code === -1 ? 137 : code;
    });
    return { stdin: null, stdout, stderr, resize: () => undefined, exit, kill: () => killed(137) };
  }

  /** What attach sessions wrote to each container's stdin (by id), and whether stdinOnce closed it. */
  readonly stdinWritten = new Map<string, string>();
  readonly stdinClosed = new Set<string>();

  attach(id: string): ContainerAttachment {
    const name = this.records.get(id)?.name;
    return {
      openStdin: () => {
        if (this.stdinClosed.has(id)) return null;
        const w = new PassThrough();
        w.on("data", (b: Buffer) => this.stdinWritten.set(id, (this.stdinWritten.get(id) ?? "") + b.toString()));
        return w;
      },
      resize: (width, height) => this.calls.push(`resize ${name} ${width}x${height}`),
      closeStdin: () => {
        this.calls.push(`close-stdin ${name}`);
        this.stdinClosed.add(id);
      },
    };
  }

  async usage(): Promise<CgroupUsage> {
    return { cpuNanos: 0, memoryWorkingSetBytes: 0, memoryUsageBytes: 0, oomKills: 0, pids: 0 };
  }
  podUsage(): Promise<CgroupUsage> {
    return this.usage();
  }
}
