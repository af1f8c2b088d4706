/**
 * The node's monitor zygote (`nodelet-shim zygote`, shim/zygote.c): a long-lived copy of the shim that forks each
 * container's monitor, instead of the daemon starting a new shim process (fork + exec) per container. This class
 * owns it: it makes its cgroup, starts it, starts it again a second after it dies, and stops it with the runtime
 * (which removes the cgroup once no monitor is left in it: removeZygoteCgroup). It is the Runner's ForkServer: the monitor command
 * (monitorCommand) run through the Runner goes to it, recorded as any command; while it is not there, the Runner
 * exec's the shim as before.
 *
 * The zygote and the monitors it forks live in their own cgroup under the node's cgroup parent (ZYGOTE_CGROUP),
 * accounted apart from the daemon; monitors outlive the zygote and the daemon, as exec'd ones do.
 */
import type { Socket } from "node:net";
import type { CgroupManager } from "../sys/cgroups/types.js";
import type { ForkServer, Runner, RunResult } from "../sys/runner.js";
import { ShimError } from "./shim-client.js";

/** The zygote's cgroup, relative to the node's cgroup parent: it and the monitors it forked. */
export const ZYGOTE_CGROUP = "monitors";
/** How long the zygote may take to say it is ready, and to exit when asked. */
const READY_TIMEOUT_MS = 10_000;
const EXIT_TIMEOUT_MS = 2_000;
const RESTART_DELAY_MS = 1_000;
/** The zygote's bounds (shim/zygote.c): a container id, and the spec as --spec-fd takes it. */
const ID_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;
const SPEC_MAX = 16 << 20;

/** The zygote's process, as the Runner starts it (processes are the sys layer's). */
type ChildProcess = ReturnType<Runner["spawn"]>;

interface Pending {
  resolve(line: string): void;
}

/** A request frame: len | tag | idlen | id | speclen | spec (little-endian u32, shim/zygote.c). */
export function encodeZygoteRequest(tag: number, id: string, spec: Buffer): Buffer {
  if (!ID_PATTERN.test(id)) throw new ShimError(`container id ${JSON.stringify(id.slice(0, 140))} is not 1-128 of [A-Za-z0-9._-]`);
  if (spec.length === 0 || spec.length > SPEC_MAX) throw new ShimError(`the container spec is ${spec.length} bytes (1 byte to 16 MiB)`);
  const idBytes = Buffer.from(id);
  const head = Buffer.alloc(16 + idBytes.length);
  head.writeUInt32LE(12 + idBytes.length + spec.length, 0);
  head.writeUInt32LE(tag, 4);
  head.writeUInt32LE(idBytes.length, 8);
  idBytes.copy(head, 12);
  head.writeUInt32LE(spec.length, 12 + idBytes.length);
  return Buffer.concat([head, spec]);
}

/** Splits reply frames (len | tag | line) off a buffer; returns what is left. */
export function decodeZygoteReplies(buf: Buffer, onReply: (tag: number, line: string) => void): Buffer {
  let rest = buf;
  while (rest.length >= 4) {
    const len = rest.readUInt32LE(0);
    if (len < 4 || rest.length < 4 + len) break;
    onReply(rest.readUInt32LE(4), rest.subarray(8, 4 + len).toString());
    rest = rest.subarray(4 + len);
  }
  return rest;
}

export class MonitorZygote implements ForkServer {
  private child?: ChildProcess;
  private ready = false;
  private stopped = true;
  private buffer: Buffer = Buffer.alloc(0);
  private nextTag = 1;
  private readonly pending = new Map<number, Pending>();
  private readyWaiter?: (ok: boolean) => void;
  private restartTimer?: NodeJS.Timeout;

  constructor(
    private readonly o: { shimPath: string; runner: Runner; cgroups: Pick<CgroupManager, "create" | "dirs">; report?: (msg: string) => void; restartDelayMs?: number },
  ) {}

  /** Whether a monitor can be forked by the zygote now (else: the exec path). */
  get available(): boolean {
    return this.ready && !this.stopped && this.child !== undefined;
  }

  /** The zygote's pid while it runs (tests, the log). */
  get pid(): number | undefined {
    return this.available ? this.child?.pid : undefined;
  }

  /** Makes the cgroup and starts the zygote; resolves once it is ready or has failed (then: the exec path). */
  async start(): Promise<void> {
    this.stopped = false;
    try {
      await this.o.cgroups.create(ZYGOTE_CGROUP, {}, "node");
    } catch (err) {
      this.o.report?.(`monitor zygote: cannot make its cgroup (${(err as Error).message}); monitors are exec'd`);
      return;
    }
    await this.spawn();
  }

  private spawn(): Promise<void> {
    const argv = [this.o.shimPath, "zygote", ...this.o.cgroups.dirs(ZYGOTE_CGROUP).flatMap((d) => ["--cgroup", d])];
    const child = this.o.runner.spawn(argv, { stdio: ["pipe", "pipe", "inherit"], owner: "node", env: { LC_ALL: "C" } });
    this.child = child;
    this.ready = false;
    this.buffer = Buffer.alloc(0);
    const readied = new Promise<boolean>((resolve) => {
      this.readyWaiter = resolve;
    });
    child.stdout!.on("data", (d: Buffer) => this.onData(child, d));
    child.stdin!.on("error", () => undefined);
    child.on("error", (err) => this.o.report?.(`monitor zygote: ${err.message}`));
    child.on("exit", (code, signal) => this.onExit(child, code, signal));
    // Never what keeps the daemon alive; a pending request refs the reply pipe (hold).
    child.unref();
    (child.stdin as unknown as Socket).unref();
    this.hold(false);
    const timer = setTimeout(() => this.readyWaiter?.(false), READY_TIMEOUT_MS);
    return readied.then((ok) => {
      clearTimeout(timer);
      if (!ok && this.child === child) {
        this.o.report?.("monitor zygote: not ready in time; monitors are exec'd until it is");
        child.kill("SIGKILL");
      }
    });
  }

  private hold(on: boolean): void {
    const out = this.child?.stdout as unknown as Socket | undefined;
    if (on) out?.ref();
    else out?.unref();
  }

  private onData(child: ChildProcess, d: Buffer): void {
    if (child !== this.child) return;
    this.buffer = decodeZygoteReplies(this.buffer.length ? Buffer.concat([this.buffer, d]) : d, (tag, line) => {
      if (tag === 0) {
        this.ready = line === "ready";
        this.readyWaiter?.(this.ready);
        this.readyWaiter = undefined;
        return;
      }
      const p = this.pending.get(tag);
      this.pending.delete(tag);
      if (this.pending.size === 0) this.hold(false);
      p?.resolve(line);
    });
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (child !== this.child) return;
    this.child = undefined;
    this.ready = false;
    this.readyWaiter?.(false);
    this.readyWaiter = undefined;
    // A request in flight may have forked its monitor already: it fails, and is not started again elsewhere.
    for (const p of this.pending.values()) p.resolve(`error the monitor zygote exited (${signal ?? code}) while starting the container`);
    this.pending.clear();
    if (this.stopped) return;
    this.o.report?.(`monitor zygote exited (${signal ?? code}); monitors are exec'd until it is started again`);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (!this.stopped) void this.spawn();
    }, this.o.restartDelayMs ?? RESTART_DELAY_MS);
    this.restartTimer.unref();
  }

  /**
   * The Runner's ForkServer side: a `nodelet-shim monitor --id ID --spec-fd 0` command (monitorCommand's argv, its
   * spec as input) is forked by the zygote while it runs, and answers as the exec'd shim would (its one line on
   * stdout, status 0 for "ok"). Anything else, or no zygote now: undefined, and the Runner exec's the command.
   */
  tryRun(argv: string[], input: string | Buffer | undefined): Promise<RunResult> | undefined {
    const [file, mode, idFlag, id, specFlag, fd, ...more] = argv;
    if (file !== this.o.shimPath || mode !== "monitor" || idFlag !== "--id" || specFlag !== "--spec-fd" || fd !== "0" || more.length > 0) return undefined;
    if (!this.available || id === undefined || input === undefined) return undefined;
    let frame: Buffer;
    try {
      frame = encodeZygoteRequest(this.nextTag, id, Buffer.from(input));
    } catch (err) {
      return Promise.resolve({ stdout: `error ${(err as Error).message}\n`, stderr: "", code: 1 });
    }
    const tag = this.nextTag++;
    return new Promise<string>((resolve) => {
      this.pending.set(tag, { resolve });
      if (this.pending.size === 1) this.hold(true);
      this.child!.stdin!.write(frame);
    }).then((line) => ({ stdout: `${line}\n`, stderr: "", code: line.startsWith("ok ") ? 0 : 1 }));
  }

  /** Stops the zygote: its stdin closes (SIGKILL after 2 s). The monitors it forked keep running. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.stdin?.end();
      const timer = setTimeout(() => child.kill("SIGKILL"), EXIT_TIMEOUT_MS);
      await gone;
      clearTimeout(timer);
    }
    this.child = undefined;
    this.ready = false;
  }
}

/**
 * Removes the zygote's cgroup once no container runs any more (the runtime's stop, also reset's, which runs no
 * zygote): waits up to `drainMs` for the last monitors to exit (they write the exit record, then go).
 */
export async function removeZygoteCgroup(cgroups: Pick<CgroupManager, "procs" | "remove">, report?: (msg: string) => void, drainMs = 5_000): Promise<void> {
  const deadline = Date.now() + drainMs;
  while ((await cgroups.procs(ZYGOTE_CGROUP).catch(() => [] as number[])).length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
  }
  await cgroups.remove(ZYGOTE_CGROUP, "node").catch((err: unknown) =>
    report?.(`monitor zygote: its cgroup is left (${err instanceof Error ? err.message : String(err)})`),
  );
}
