/**
 * The containers' exit state machine: created → running → exited, driven by the monitors' exit records (through
 * ExitWatcher) and, where a monitor died without one, by finding the process gone. An exit that arrives before
 * the container is registered waits for it; an exit that arrives before the shim's start answer stands (the
 * start only adds the pids). Waiters on an exit are released when it is applied.
 *
 * Each running container's monitor is watched through a pidfd (PidWatch): a monitor that dies without leaving an
 * exit record was lost, and its container is treated as containerd treats one whose shim died — ended (killed
 * through its own pidfd, so exit 137 is known) or, if it was already gone, exit 255 with reason Unknown.
 */
import { join } from "node:path";
import { isoNow } from "../sys/clock.js";
import { PidWatch, type MonitorExit } from "../sys/pid-watch.js";
import { isSameProcess } from "../sys/proc.js";
import { ExitWatcher } from "./exit-watcher.js";
import type { ContainerRecord, ExitRecord } from "./pod-runtime.js";
import type { RuntimeContext } from "./runtime-context.js";
import { readTerminationMessage } from "./termination-message.js";

export class ContainerExits {
  private readonly watcher: ExitWatcher;
  private readonly pending = new Map<string, ExitRecord>();
  /** Containers whose shim has not answered yet: "created" with no process is not lost while it is starting. */
  private readonly starting = new Set<string>();
  private readonly waiters = new Map<string, (() => void)[]>();

  private readonly monitors: PidWatch;

  constructor(private readonly x: RuntimeContext) {
    // Failures here (a read on a failing disk) are reported, never left as unhandled rejections that end the daemon.
    const failed = (what: string, id: string) => (err: unknown) => x.o.report?.(`${what} of container ${id}: ${err instanceof Error ? err.message : String(err)}`);
    this.watcher = new ExitWatcher(
      x.o.layout.exitsDir,
      (id, rec) => void this.exited(id, rec).catch(failed("applying the exit", id)),
      (id, reason) => this.held(id, reason),
      () => new Date(x.clock.now()),
    );
    this.monitors = new PidWatch(x.o.layout.shimPath, x.o.runner, (id, how, at) => void this.monitorExited(id, how, at).catch(failed("handling the lost monitor", id)), x.o.report);
  }

  /** Starts watching the exit directory (applying the records already there) and every running container's monitor. */
  async start(): Promise<void> {
    await this.watcher.start();
    this.monitors.start();
    for (const c of this.x.records.containers.values()) this.watchMonitor(c);
  }

  stop(): void {
    this.watcher.stop();
    this.monitors.stop();
  }

  /** Watches the monitor of a running container (after its start, and on re-adoption). */
  watchMonitor(c: ContainerRecord): void {
    if (c.state !== "running" || !c.monitorPid) return;
    this.monitors.watch(c.id, { pid: c.monitorPid, startTime: c.monitorStartTime }, c.pid ? { pid: c.pid, startTime: c.pidStartTime } : undefined);
  }

  /**
   * A monitor exited. After its container (the normal end) its exit record is there and is applied; otherwise
   * the monitor was lost: the container ended by the watcher's SIGKILL (137) or already gone (255, Unknown).
   * `at` (the helper's clock, when it saw the end) is the container's finishedAt: a busy daemon may get here later.
   */
  private async monitorExited(id: string, how: MonitorExit, at: number): Promise<void> {
    const c = this.x.records.containers.get(id);
    if (!c || c.state === "exited") return;
    if (await this.appliedOrHeld(id)) return;
    if ((c.state as ContainerRecord["state"]) === "exited") return;
    const killed = how === "killed";
    const message = killed
      ? `the container's monitor (pid ${c.monitorPid}) was lost; the container was stopped with SIGKILL`
      : `the container's monitor (pid ${c.monitorPid}) was lost; the container's exit status is unknown`;
    this.x.emit({ type: "MonitorLost", podUid: c.podUid, containerId: id, name: c.name, message });
    await this.exited(id, {
      exitCode: killed ? 137 : 255,
      signal: killed ? 9 : 0,
      oomKilled: false,
      reason: killed ? "Error" : "Unknown",
      message,
      finishedAt: new Date(at).toISOString(),
    });
  }

  /** The shim is starting `id`: until done() it is not taken for lost. */
  markStarting(id: string): void {
    this.starting.add(id);
  }

  markStarted(id: string): void {
    this.starting.delete(id);
  }

  /** Applies an exit that arrived before the container was registered (called once it is). */
  async applyPending(id: string): Promise<void> {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    await this.exited(id, pending);
  }

  /** An exit record arrived: the container is exited. Records for containers we have not registered yet wait. */
  private async exited(id: string, exit: ExitRecord): Promise<void> {
    const c = this.x.records.containers.get(id);
    if (!c) {
      this.pending.set(id, exit);
      return;
    }
    if (c.state === "exited") return;
    const written = await readTerminationMessage({
      file: join(this.x.o.layout.containerDir(c.podUid, id), "termination-log"),
      logPath: c.logPath, policy: c.terminationMessagePolicy, exitCode: exit.exitCode, reason: exit.reason,
    });
    if ((c.state as ContainerRecord["state"]) === "exited") return; // reported again while we read
    Object.assign(c, {
      state: "exited",
      exitCode: exit.exitCode,
      signal: exit.signal || undefined,
      reason: exit.reason,
      // The runtime's own message first, then the container's (kuberuntime_container.go getPodContainerStatuses).
      message: [exit.message, written].filter(Boolean).join(": ") || undefined,
      oomKilled: exit.oomKilled,
      startedAt: exit.startedAt ?? c.startedAt,
      finishedAt: exit.finishedAt,
    });
    // The exit happened whatever the disk says: waiters and the kubelet hear of it even if it cannot be written.
    await this.x.records.saveLater({ kind: "container", record: c }, this.x.o.report);
    for (const w of this.waiters.get(id) ?? []) w();
    this.waiters.delete(id);
    this.x.emit({ type: "ContainerDied", podUid: c.podUid, containerId: id });
  }

  /** A container recorded as running whose process is gone and whose monitor left no record (monitor died). */
  async reconcileLost(c: ContainerRecord): Promise<void> {
    if (c.state === "exited" || this.starting.has(c.id)) return;
    if (c.state === "running" && c.pid && isSameProcess(c.pid, c.pidStartTime)) return;
    if (await this.appliedOrHeld(c.id)) return;
    await this.exited(c.id, {
      exitCode: c.state === "created" ? 128 : 255,
      signal: 0,
      oomKilled: false,
      reason: c.state === "created" ? "StartError" : "Error",
      message: "the container's process is gone and its monitor left no exit record",
      finishedAt: isoNow(this.x.clock),
    });
  }

  /**
   * True when the container's exit record settles it: reported (now or earlier, applied again if the container is
   * not marked exited yet) or unreadable (held: neither exited nor lost until it can be read).
   */
  private async appliedOrHeld(id: string): Promise<boolean> {
    const look = await this.watcher.check(id);
    if (look === "none") return false;
    if (look === "held") return true;
    const exit = await this.watcher.read(id).catch(() => undefined); // read a moment ago; a failure now is reported at the next look
    const c = this.x.records.containers.get(id);
    if (exit && c && c.state !== "exited") await this.exited(id, exit);
    return true;
  }

  /** A container's exit record cannot be read: it is held, and said so in the log and as an event on its pod. */
  private held(id: string, reason: string): void {
    const message = `the container's exit record cannot be used, so it is neither taken as exited nor as lost: ${reason}`;
    this.x.o.report?.(`container ${id}: ${message}`);
    const c = this.x.records.containers.get(id);
    if (c) this.x.emit({ type: "ExitRecordUnreadable", podUid: c.podUid, containerId: id, name: c.name, message });
  }

  /** Resync: exit records missed by the watch, then containers whose monitor died. */
  async resync(): Promise<void> {
    await this.x.records.saveUnsaved();
    await this.watcher.scan();
    for (const c of this.x.records.containers.values()) await this.reconcileLost(c);
  }

  /** After a kill: the exit record may have been missed (or the monitor died with the container); settle it now. */
  async settle(c: ContainerRecord): Promise<void> {
    if (c.state === "exited") return;
    await this.watcher.check(c.id);
    await this.reconcileLost(c);
  }

  /** Resolves true once the container has exited (at once if it already has), false after timeoutMs. */
  wait(id: string, timeoutMs: number): Promise<boolean> {
    const c = this.x.records.containers.get(id);
    if (!c || c.state === "exited") return Promise.resolve(true);
    return new Promise((resolve) => {
      const list = this.waiters.get(id) ?? [];
      const waiter = () => {
        timer.cancel();
        resolve(true);
      };
      const timer = this.x.clock.setTimeout(() => {
        // A waiter that timed out leaves the list, so long log follows do not pile them up.
        const i = list.indexOf(waiter);
        if (i >= 0) list.splice(i, 1);
        resolve(false);
      }, timeoutMs);
      list.push(waiter);
      this.waiters.set(id, list);
    });
  }

  /** Removes a container's exit record (and its monitor's watch) once the container itself is removed. */
  forget(id: string): Promise<void> {
    this.monitors.forget(id);
    return this.watcher.forget(id);
  }
}
