/**
 * The one way nodelet touches the host from userland tools: every external command (argv array, never a shell
 * string) and every file the daemon writes to build a pod goes through a Runner, which can record it as a Step under
 * an owner (a pod uid, "node", "proxy"). `nodelet explain pod NAME` renders a pod's steps as a shell script
 * (see explain.ts), so the recording is the study note's commands, made by the running system.
 */
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { mkdirSync, rmdirSync, writeFileSync } from "node:fs";
import { constants as osConstants } from "node:os";
import { HostError } from "./host-error.js";
import type { RunResult, Spawner } from "./spawner.js";

export type { RunResult } from "./spawner.js";

/** One recorded host action. `argv` is the command (for writes, the equivalent shell words). */
export interface Step {
  /** exec: a command we ran. write/mkdir/rmdir/symlink/unlink: a file operation done in-process. */
  kind: "exec" | "spawn" | "write" | "mkdir" | "rmdir" | "symlink" | "unlink" | "comment";
  argv: string[];
  /** Data fed on stdin, or written to the file. */
  input?: string;
  /** Path written (write/mkdir/...). */
  path?: string;
  at: string;
  ms: number;
  exitCode?: number | null;
  error?: string;
}

/** Receives steps as they happen; the runtime persists them per owner. */
export interface Recorder {
  record(owner: string, step: Step): void;
}

export interface RunOptions {
  input?: string | Buffer;
  /** What the record shows in place of input (one that holds secrets, which must not reach the owner's file). */
  recordInput?: string;
  /** Who the step is for (a pod uid); unrecorded when omitted. */
  owner?: string;
  /** Return a non-zero exit instead of throwing. */
  allowFail?: boolean;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

const BIN_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/**
 * A long-lived process that runs some commands itself, faster than a fork and exec (the node's monitor zygote,
 * runtime/shim-zygote.ts): the command's result when it takes the command, undefined when it does not take it (not
 * one of its commands, or not running now), and the Runner starts it the usual way.
 */
export interface ForkServer {
  tryRun(argv: string[], input: string | Buffer | undefined): Promise<RunResult> | undefined;
}

/**
 * What the rest of nodelet runs host commands and host writes through (DESIGN.md rule 11). HostRunner is the
 * real one; sys/scripted-runner.ts answers from a script and records, for tests that need no root.
 */
export interface Runner {
  readonly recorder?: Recorder;
  /**
   * Runs argv to completion and returns its output. Throws HostError naming the command and its stderr when it
   * exits non-zero (unless allowFail) or cannot be started.
   */
  run(argv: string[], opts?: RunOptions): Promise<RunResult>;
  /** Starts a long-running process (a shim, a helper); records it; the caller owns the ChildProcess. */
  spawn(argv: string[], opts?: SpawnOptions & { owner?: string }): ChildProcess;
  /** Writes a file (cgroup knob, /etc/hosts for a pod) and records it as `printf ... > path`. */
  writeFile(path: string, data: string, owner?: string, mode?: number): Promise<void>;
  /** mkdir -p, recorded. */
  mkdir(path: string, owner?: string, mode?: number): Promise<void>;
  /** rmdir (a cgroup, an empty mount point); missing is fine. Recorded. */
  rmdir(path: string, owner?: string): Promise<void>;
  /** A comment in the owner's script: what the next steps are for. */
  comment(owner: string | undefined, text: string): void;
  /** Records a step done elsewhere (a signal sent, a process started by the spawner). */
  note(owner: string | undefined, step: Step): void;
  /** Commands the server takes go to it from now on (run() records them as any other); undefined: none. */
  useForkServer?(server: ForkServer | undefined): void;
}

/*
 * File operations here are synchronous on purpose: they are small writes to cgroupfs, /proc or the state dir
 * (tens of microseconds each), and going through libuv's four-thread pool costs more in scheduling than the
 * write itself — measured on the pod start path: 3-11 ms for a pod's handful of writes, most of it waiting.
 */
export class HostRunner implements Runner {
  private spawner?: Spawner;
  private forkServer?: ForkServer;

  /** `log` (the daemon's -v/--verbose) gets one line per command run or process started: argv, exit and time. */
  constructor(readonly recorder?: Recorder, private readonly log?: (msg: string) => void) {}

  /**
   * Starts commands through the fork server (see spawner.ts) from now on: a fork from a small process instead of
   * the daemon's. Commands with a cwd or a timeout, and every command after the spawner died, use Node's spawn.
   */
  useSpawner(spawner: Spawner): void {
    this.spawner = spawner;
  }

  useForkServer(server: ForkServer | undefined): void {
    this.forkServer = server;
  }

  /**
   * Runs argv to completion and returns its output. Throws HostError naming the command and its stderr when it
   * exits non-zero (unless allowFail) or cannot be started.
   */
  async run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
    const started = Date.now();
    const result = await this.execute(argv, opts);
    this.log?.(`exec ${argv.join(" ")} -> exit ${result.code} in ${Date.now() - started} ms`);
    this.note(opts.owner, {
      kind: "exec",
      argv,
      input: opts.recordInput ?? (opts.input === undefined ? undefined : opts.input.toString()),
      at: new Date(started).toISOString(),
      ms: Date.now() - started,
      exitCode: result.code,
      error: result.code === 0 ? undefined : result.stderr.trim() || undefined,
    });
    if (result.code !== 0 && !opts.allowFail) {
      const why = result.stderr.trim() || result.stdout.trim() || `exit status ${result.code}`;
      throw new HostError(`run ${argv[0]}`, argv.slice(1).join(" "), opts.owner ?? "", why);
    }
    return result;
  }

  private async execute(argv: string[], opts: RunOptions): Promise<RunResult> {
    const forked = opts.cwd === undefined && opts.timeoutMs === undefined ? this.forkServer?.tryRun(argv, opts.input) : undefined;
    if (forked) return forked;
    const sp = this.spawner;
    if (sp?.alive && opts.cwd === undefined && opts.timeoutMs === undefined) {
      try {
        return await sp.run(argv, { PATH: BIN_PATH, LC_ALL: "C", ...(opts.env as Record<string, string> | undefined) }, opts.input);
      } catch {
        // The spawner died: this command and the next ones go through Node's spawn.
      }
    }
    return execArgv(argv, opts);
  }

  /** Starts a long-running process (a shim, a helper); records it; the caller owns the ChildProcess. */
  spawn(argv: string[], opts: SpawnOptions & { owner?: string } = {}): ChildProcess {
    const { owner, ...spawnOpts } = opts;
    // The shim runs from the spawner's sealed copy when there is one (shim/selfexe.h); argv[0] stays its path.
    const file = this.spawner?.sealedCopyOf(argv[0]) ?? argv[0];
    const child = spawn(file, argv.slice(1), { argv0: argv[0], env: { PATH: BIN_PATH, ...spawnOpts.env }, ...spawnOpts });
    this.note(owner, { kind: "spawn", argv, at: new Date().toISOString(), ms: 0 });
    this.log?.(`spawn ${argv.join(" ")} (pid ${child.pid ?? "none"})`);
    return child;
  }

  /** Writes a file (cgroup knob, /etc/hosts for a pod) and records it as `printf ... > path`. */
  async writeFile(path: string, data: string, owner?: string, mode?: number): Promise<void> {
    const started = Date.now();
    try {
      writeFileSync(path, data, mode === undefined ? undefined : { mode });
    } catch (err) {
      this.note(owner, { kind: "write", argv: [], path, input: data, at: new Date(started).toISOString(), ms: 0, error: String(err) });
      throw new HostError("write", path, owner ?? "", err);
    }
    this.note(owner, { kind: "write", argv: [], path, input: data, at: new Date(started).toISOString(), ms: Date.now() - started });
  }

  /** mkdir -p, recorded. */
  async mkdir(path: string, owner?: string, mode?: number): Promise<void> {
    try {
      mkdirSync(path, { recursive: true, mode });
    } catch (err) {
      throw new HostError("mkdir", path, owner ?? "", err);
    }
    this.note(owner, { kind: "mkdir", argv: [], path, at: new Date().toISOString(), ms: 0 });
  }

  /** rmdir (a cgroup, an empty mount point); missing is fine. Recorded. */
  async rmdir(path: string, owner?: string): Promise<void> {
    try {
      rmdirSync(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
      throw new HostError("rmdir", path, owner ?? "", err);
    }
    this.note(owner, { kind: "rmdir", argv: [], path, at: new Date().toISOString(), ms: 0 });
  }

  /** A comment in the owner's script: what the next steps are for. */
  comment(owner: string | undefined, text: string): void {
    this.note(owner, { kind: "comment", argv: [], input: text, at: new Date().toISOString(), ms: 0 });
  }

  note(owner: string | undefined, step: Step): void {
    if (owner && this.recorder) this.recorder.record(owner, step);
  }
}

function execArgv(argv: string[], opts: RunOptions): Promise<RunResult> {
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = spawn(argv[0], argv.slice(1), {
        stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
        env: { PATH: BIN_PATH, LC_ALL: "C", ...opts.env },
        cwd: opts.cwd,
        timeout: opts.timeoutMs,
      });
    } catch (err) {
      resolve({ stdout: "", stderr: String(err), code: 127 });
      return;
    }
    const out: Buffer[] = [];
    const errs: Buffer[] = [];
    child.stdout?.on("data", (d: Buffer) => out.push(d));
    child.stderr?.on("data", (d: Buffer) => errs.push(d));
    child.on("error", (err) => resolve({ stdout: "", stderr: err.message, code: 127 }));
    child.on("close", (code, signal) =>
      resolve({
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(errs).toString(),
        code: code ?? (signal ? 128 + signalNumber(signal) : 1),
      }),
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

function signalNumber(signal: NodeJS.Signals): number {
  return osConstants.signals[signal] ?? 0;
}

/** A Runner that records nothing: for tools and tests that only need to run commands. */
export const plainRunner: Runner = new HostRunner();
