/**
 * Runs a "make the host match the state" job one at a time, coalescing requests: a caller waits for a run that
 * started after its request, so its change is included, while ten pods created at once cause at most two runs,
 * not ten. Needed because a full rule-set write renders the state at the moment it starts: two writes racing
 * could apply an older state last.
 */
export class SerialSync {
    job;
    running;
    queued;
    constructor(job) {
        this.job = job;
    }
    /** Resolves when a run that began after this call has finished; rejects with that run's error. */
    request() {
        if (this.queued)
            return this.queued;
        const before = this.running ?? Promise.resolve();
        const run = before
            .catch(() => undefined)
            .then(() => {
            this.queued = undefined;
            this.running = run;
            return this.job();
        })
            .finally(() => {
            if (this.running === run)
                this.running = undefined;
        });
        this.queued = run;
        return run;
    }
    /** Waits for whatever is running or queued (for shutdown and tests). */
    async idle() {
        await (this.queued ?? this.running)?.catch(() => undefined);
    }
}
//# sourceMappingURL=serial-sync.js.map