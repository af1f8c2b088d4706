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
import { PidWatch } from "../sys/pid-watch.js";
import { isSameProcess } from "../sys/proc.js";
import { ExitWatcher } from "./exit-watcher.js";
import { readTerminationMessage } from "./termination-message.js";
export class ContainerExits {
    x;
    watcher;
    pending = new Map();
    /** Containers whose shim has not answered yet: "created" with no process is not lost while it is starting. */
    starting = new Set();
    waiters = new Map();
    monitors;
    constructor(x) {
        this.x = x;
        // Failures here (a read on a failing disk) are reported, never left as unhandled rejections that end the daemon.
        const failed = (what, id) => (err) => x.o.report?.(`${what} of container ${id}: ${err instanceof Error ? err.message : String(err)}`);
        this.watcher = new ExitWatcher(x.o.layout.exitsDir, (id, rec) => void this.exited(id, rec).catch(failed("applying the exit", id)));
        this.monitors = new PidWatch(x.o.layout.shimPath, x.o.runner, (id, how) => void this.monitorExited(id, how).catch(failed("handling the lost monitor", id)), x.o.report);
    }
    /** Starts watching the exit directory (applying the records already there) and every running container's monitor. */
    async start() {
        await this.watcher.start();
        this.monitors.start();
        for (const c of this.x.records.containers.values())
            this.watchMonitor(c);
    }
    stop() {
        this.watcher.stop();
        this.monitors.stop();
    }
    /** Watches the monitor of a running container (after its start, and on re-adoption). */
    watchMonitor(c) {
        if (c.state !== "running" || !c.monitorPid)
            return;
        this.monitors.watch(c.id, { pid: c.monitorPid, startTime: c.monitorStartTime }, c.pid ? { pid: c.pid, startTime: c.pidStartTime } : undefined);
    }
    /**
     * A monitor exited. After its container (the normal end) its exit record is there and is applied; otherwise
     * the monitor was lost: the container ended by the watcher's SIGKILL (137) or already gone (255, Unknown).
     */
    async monitorExited(id, how) {
        const c = this.x.records.containers.get(id);
        if (!c || c.state === "exited")
            return;
        if (await this.watcher.check(id)) {
            const exit = await this.watcher.read(id);
            if (exit && c.state !== "exited")
                await this.exited(id, exit);
            return;
        }
        if (c.state === "exited")
            return;
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
            finishedAt: isoNow(this.x.clock),
        });
    }
    /** The shim is starting `id`: until done() it is not taken for lost. */
    markStarting(id) {
        this.starting.add(id);
    }
    markStarted(id) {
        this.starting.delete(id);
    }
    /** Applies an exit that arrived before the container was registered (called once it is). */
    async applyPending(id) {
        const pending = this.pending.get(id);
        if (!pending)
            return;
        this.pending.delete(id);
        await this.exited(id, pending);
    }
    /** An exit record arrived: the container is exited. Records for containers we have not registered yet wait. */
    async exited(id, exit) {
        const c = this.x.records.containers.get(id);
        if (!c) {
            this.pending.set(id, exit);
            return;
        }
        if (c.state === "exited")
            return;
        const written = await readTerminationMessage({
            file: join(this.x.o.layout.containerDir(c.podUid, id), "termination-log"),
            logPath: c.logPath, policy: c.terminationMessagePolicy, exitCode: exit.exitCode, reason: exit.reason,
        });
        if (c.state === "exited")
            return; // reported again while we read
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
        for (const w of this.waiters.get(id) ?? [])
            w();
        this.waiters.delete(id);
        this.x.emit({ type: "ContainerDied", podUid: c.podUid, containerId: id });
    }
    /** A container recorded as running whose process is gone and whose monitor left no record (monitor died). */
    async reconcileLost(c) {
        if (c.state === "exited" || this.starting.has(c.id))
            return;
        if (c.state === "running" && c.pid && isSameProcess(c.pid, c.pidStartTime))
            return;
        if (await this.watcher.check(c.id)) {
            // The record was reported (now or earlier) yet the container is not marked exited: apply it again.
            const exit = await this.watcher.read(c.id);
            if (exit && c.state !== "exited")
                await this.exited(c.id, exit);
            return;
        }
        await this.exited(c.id, {
            exitCode: c.state === "created" ? 128 : 255,
            signal: 0,
            oomKilled: false,
            reason: c.state === "created" ? "StartError" : "Error",
            message: "the container's process is gone and its monitor left no exit record",
            finishedAt: isoNow(this.x.clock),
        });
    }
    /** Resync: exit records missed by the watch, then containers whose monitor died. */
    async resync() {
        await this.x.records.saveUnsaved();
        await this.watcher.scan();
        for (const c of this.x.records.containers.values())
            await this.reconcileLost(c);
    }
    /** After a kill: the exit record may have been missed (or the monitor died with the container); settle it now. */
    async settle(c) {
        if (c.state === "exited")
            return;
        await this.watcher.check(c.id);
        await this.reconcileLost(c);
    }
    /** Resolves true once the container has exited (at once if it already has), false after timeoutMs. */
    wait(id, timeoutMs) {
        const c = this.x.records.containers.get(id);
        if (!c || c.state === "exited")
            return Promise.resolve(true);
        return new Promise((resolve) => {
            const list = this.waiters.get(id) ?? [];
            const waiter = () => {
                timer.cancel();
                resolve(true);
            };
            const timer = this.x.clock.setTimeout(() => {
                // A waiter that timed out leaves the list, so long log follows do not pile them up.
                const i = list.indexOf(waiter);
                if (i >= 0)
                    list.splice(i, 1);
                resolve(false);
            }, timeoutMs);
            list.push(waiter);
            this.waiters.set(id, list);
        });
    }
    /** Removes a container's exit record (and its monitor's watch) once the container itself is removed. */
    forget(id) {
        this.monitors.forget(id);
        return this.watcher.forget(id);
    }
}
//# sourceMappingURL=container-exits.js.map