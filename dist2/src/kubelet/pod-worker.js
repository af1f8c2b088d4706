/** The grace period a pod's termination gets: its deletion's, else its spec's (default 30); 0 once it is gone. */
export function terminationGrace(pod) {
    if (!pod)
        return 0;
    return pod.metadata.deletionGracePeriodSeconds ?? Math.max(0, pod.spec.terminationGracePeriodSeconds ?? 30);
}
export class PodWorker {
    uid;
    syncer;
    clock;
    onError;
    pod;
    lastKnown;
    running = false;
    dirty = false;
    timer;
    timerAt = Infinity;
    terminated = false;
    abort;
    /** The termination under way: its grace period, and what aborts it when a shorter one arrives. */
    terminating;
    /** Aborted by stop(): every wait of the worker ends, and it syncs no more. */
    shutdown = new AbortController();
    idle;
    /** Resolves when the worker has finished terminating its pod. */
    done;
    resolveDone;
    /** Resolves after the first sync (re-adoption is measured by it). */
    firstSync;
    resolveFirst;
    constructor(uid, syncer, clock, onError) {
        this.uid = uid;
        this.syncer = syncer;
        this.clock = clock;
        this.onError = onError;
        this.done = new Promise((r) => (this.resolveDone = r));
        this.firstSync = new Promise((r) => (this.resolveFirst = r));
    }
    /** The pod as last seen, or undefined once it is gone. */
    get current() {
        return this.pod;
    }
    get isTerminated() {
        return this.terminated;
    }
    /** Keeps the latest copy of the pod without syncing (our own status writes coming back). */
    refresh(pod) {
        this.pod = pod;
        this.lastKnown = pod;
    }
    update(pod) {
        this.pod = pod;
        if (pod)
            this.lastKnown = pod;
        if (!pod || pod.metadata.deletionTimestamp)
            this.abort?.abort();
        if (this.terminating && terminationGrace(pod) < this.terminating.grace)
            this.terminating.shortened.abort();
        this.wake();
    }
    /**
     * Stops the worker: no more syncs or retries, and the sync or termination under way is aborted. Resolves when
     * the worker is idle (its current step may take a moment to notice the abort).
     */
    stop() {
        this.shutdown.abort();
        this.timer?.cancel();
        if (!this.running)
            return Promise.resolve();
        if (!this.idle) {
            let resolve;
            const promise = new Promise((r) => (resolve = r));
            this.idle = { promise, resolve };
        }
        return this.idle.promise;
    }
    /** Sync as soon as possible. */
    wake() {
        if (this.terminated || this.shutdown.signal.aborted)
            return;
        if (this.running) {
            this.dirty = true;
            return;
        }
        this.running = true;
        queueMicrotask(() => void this.loop());
    }
    /** Sync at `at` (ms) unless woken earlier; keeps the earliest requested time. */
    wakeAt(at) {
        if (this.terminated || this.shutdown.signal.aborted || at >= this.timerAt)
            return;
        this.timer?.cancel();
        this.timerAt = at;
        this.timer = this.clock.setTimeout(() => {
            this.timerAt = Infinity;
            this.wake();
        }, at - this.clock.now());
    }
    async loop() {
        const stopping = this.shutdown.signal;
        do {
            this.dirty = false;
            if (stopping.aborted)
                break;
            try {
                const pod = this.pod;
                if (!pod || pod.metadata.deletionTimestamp) {
                    const shortened = new AbortController();
                    this.terminating = { grace: terminationGrace(pod), shortened };
                    try {
                        await this.syncer.terminatePod(this.uid, pod, this.lastKnown, stopping, shortened.signal);
                    }
                    finally {
                        this.terminating = undefined;
                    }
                    if (stopping.aborted)
                        break;
                    if (shortened.signal.aborted)
                        continue;
                    this.terminated = true;
                    this.timer?.cancel();
                    this.resolveDone();
                    break;
                }
                this.abort = new AbortController();
                const next = await this.syncer.syncPod(pod, AbortSignal.any([this.abort.signal, stopping]), stopping);
                if (next !== undefined)
                    this.wakeAt(next);
            }
            catch (err) {
                // What fails because the daemon is going away (its store closing under a late step) is not the pod's fault.
                if (stopping.aborted)
                    break;
                this.onError(this.uid, err);
                // Retry failures after a pause rather than spinning.
                this.wakeAt(this.clock.now() + 1000);
            }
            finally {
                this.abort = undefined;
                this.resolveFirst();
            }
        } while (this.dirty && !this.terminated && !stopping.aborted);
        this.running = false;
        this.idle?.resolve();
    }
}
//# sourceMappingURL=pod-worker.js.map