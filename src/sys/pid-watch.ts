/**
 * Client of `nodelet-shim pidwatch` (shim/pidwatch.c): the daemon's pidfds on its container monitors. Node has no
 * pidfd_open, and a monitor is not the daemon's child, so a small long-lived helper holds the pidfds in an epoll
 * set and writes a line the moment a monitor exits — no polling, no /proc scans. A monitor that died before its
 * container has the container killed through the container's own pidfd, so its end is known (SIGKILL).
 *
 * Why a separate helper rather than the spawner: the spawner answers requests one reply each and may be restarted
 * or fall back to Node's spawn; the watch set is long-lived state that must survive any of that, and it is
 * simplest as its own process. If the helper dies it is started again and every watch re-registered.
 */
import type { ChildProcess } from "node:child_process";
import type { Socket } from "node:net";
import type { Runner } from "./runner.js";

/** A process as the daemon recorded it: its pid and start time (/proc/PID/stat field 22), to rule out reuse. */
export interface ProcessRef {
  pid: number;
  startTime?: number;
}

const RESTART_DELAY_MS = 1000;

/** How a monitor's exit was found: its container was still running and was killed, or was already gone. */
export type MonitorExit = "killed" | "gone";

export class PidWatch {
  private child?: ChildProcess;
  private readonly watched = new Map<string, string>();
  private buffer = "";
  private stopped = false;

  constructor(
    private readonly shimPath: string,
    private readonly runner: Runner,
    /** `at`: when the helper saw the container (killed) or the monitor (gone) end, ms since the epoch. */
    private readonly onExit: (containerId: string, how: MonitorExit, at: number) => void,
    private readonly log: (msg: string) => void = () => undefined,
  ) {}

  start(): void {
    this.stopped = false;
    const child = this.runner.spawn([this.shimPath, "pidwatch"], { stdio: ["pipe", "pipe", "inherit"], owner: "node" });
    this.child = child;
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (d: string) => this.onData(d));
    child.stdin!.on("error", () => undefined);
    child.on("error", (err) => this.log(`pidwatch: ${err.message}`));
    child.on("exit", (code, signal) => {
      if (this.child !== child || this.stopped) return;
      this.log(`pidwatch helper exited (${signal ?? code}); restarting it and watching ${this.watched.size} monitors again`);
      // A second later, so a helper that cannot start is not restarted in a tight loop.
      setTimeout(() => this.stopped || this.start(), RESTART_DELAY_MS).unref();
    });
    // Never what keeps the daemon alive.
    child.unref();
    (child.stdout as unknown as Socket).unref();
    (child.stdin as unknown as Socket).unref();
    for (const line of this.watched.values()) child.stdin!.write(line);
  }

  /** The helper's pid while it runs (for the log and tests). */
  get helperPid(): number | undefined {
    return this.child?.pid;
  }

  /** Watches the monitor of container `id` (and knows its container, to end it if the monitor goes first). */
  watch(id: string, monitor: ProcessRef, container: ProcessRef | undefined): void {
    const line = `watch ${id} ${monitor.pid} ${monitor.startTime ?? 0} ${container?.pid ?? 0} ${container?.startTime ?? 0}\n`;
    this.watched.set(id, line);
    this.child?.stdin?.write(line);
  }

  /** Stops watching container `id`. */
  forget(id: string): void {
    if (!this.watched.delete(id)) return;
    this.child?.stdin?.write(`forget ${id}\n`);
  }

  stop(): void {
    this.stopped = true;
    this.child?.stdin?.end();
    this.child = undefined;
  }

  private onData(d: string): void {
    this.buffer += d;
    let nl: number;
    while ((nl = this.buffer.indexOf("\n")) >= 0) {
      const m = /^exited (\S+) (killed|gone) (\d+)$/.exec(this.buffer.slice(0, nl));
      this.buffer = this.buffer.slice(nl + 1);
      if (!m || !this.watched.delete(m[1])) continue;
      this.onExit(m[1], m[2] as MonitorExit, Number(m[3]));
    }
  }
}
