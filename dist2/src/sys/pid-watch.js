const RESTART_DELAY_MS = 1000;
export class PidWatch {
    shimPath;
    runner;
    onExit;
    log;
    child;
    watched = new Map();
    buffer = "";
    stopped = false;
    constructor(shimPath, runner, onExit, log = () => undefined) {
        this.shimPath = shimPath;
        this.runner = runner;
        this.onExit = onExit;
        this.log = log;
    }
    start() {
        this.stopped = false;
        const child = this.runner.spawn([this.shimPath, "pidwatch"], { stdio: ["pipe", "pipe", "inherit"], owner: "node" });
        this.child = child;
        child.stdout.setEncoding("utf8");
        child.stdout.on("data", (d) => this.onData(d));
        child.stdin.on("error", () => undefined);
        child.on("error", (err) => this.log(`pidwatch: ${err.message}`));
        child.on("exit", (code, signal) => {
            if (this.child !== child || this.stopped)
                return;
            this.log(`pidwatch helper exited (${signal ?? code}); restarting it and watching ${this.watched.size} monitors again`);
            // A second later, so a helper that cannot start is not restarted in a tight loop.
            setTimeout(() => this.stopped || this.start(), RESTART_DELAY_MS).unref();
        });
        // Never what keeps the daemon alive.
        child.unref();
        child.stdout.unref();
        child.stdin.unref();
        for (const line of this.watched.values())
            child.stdin.write(line);
    }
    /** The helper's pid while it runs (for the log and tests). */
    get helperPid() {
        return this.child?.pid;
    }
    /** Watches the monitor of container `id` (and knows its container, to end it if the monitor goes first). */
    watch(id, monitor, container) {
        const line = `watch ${id} ${monitor.pid} ${monitor.startTime ?? 0} ${container?.pid ?? 0} ${container?.startTime ?? 0}\n`;
        this.watched.set(id, line);
        this.child?.stdin?.write(line);
    }
    /** Stops watching container `id`. */
    forget(id) {
        if (!this.watched.delete(id))
            return;
        this.child?.stdin?.write(`forget ${id}\n`);
    }
    stop() {
        this.stopped = true;
        this.child?.stdin?.end();
        this.child = undefined;
    }
    onData(d) {
        this.buffer += d;
        let nl;
        while ((nl = this.buffer.indexOf("\n")) >= 0) {
            const m = /^exited (\S+) (killed|gone)$/.exec(this.buffer.slice(0, nl));
            this.buffer = this.buffer.slice(nl + 1);
            if (!m || !this.watched.delete(m[1]))
                continue;
            this.onExit(m[1], m[2]);
        }
    }
}
//# sourceMappingURL=pid-watch.js.map