const TITLE = { liveness: "Liveness", readiness: "Readiness", startup: "Startup" };
export function probeOf(c, kind) {
    return kind === "liveness" ? c.livenessProbe : kind === "readiness" ? c.readinessProbe : c.startupProbe;
}
export class ProbeWorker {
    pod;
    spec;
    kind;
    d;
    id;
    startedAt = 0;
    lastResult;
    resultRun = 0;
    onHold = false;
    timer;
    stopped = false;
    /** The probe running now, if any (tests and shutdown wait for it). */
    inFlight;
    constructor(pod, spec, kind, d) {
        this.pod = pod;
        this.spec = spec;
        this.kind = kind;
        this.d = d;
    }
    get probe() {
        return probeOf(this.spec, this.kind);
    }
    /** The latest pod and the running instance to probe; a new instance starts over (first run after `firstAt`). */
    update(pod, spec, id, startedAt, firstAt) {
        this.pod = pod;
        this.spec = spec;
        if (this.id === id)
            return;
        this.id = id;
        this.startedAt = startedAt;
        this.lastResult = undefined;
        this.resultRun = 0;
        this.onHold = false;
        this.schedule(Math.max(firstAt, startedAt + (this.probe.initialDelaySeconds ?? 0) * 1000));
    }
    /** Probe as soon as allowed (the startup probe succeeded: readiness should not wait a period). */
    trigger() {
        if (this.id && !this.inFlight)
            this.schedule(this.d.clock.now());
    }
    stop() {
        this.stopped = true;
        this.timer?.cancel();
    }
    schedule(at) {
        if (this.stopped)
            return;
        this.timer?.cancel();
        this.timer = this.d.clock.setTimeout(() => this.tick(), at - this.d.clock.now());
    }
    tick() {
        if (this.stopped || this.inFlight || !this.id)
            return;
        const began = this.d.clock.now();
        const id = this.id;
        const next = () => this.schedule(Math.max(this.d.clock.now(), began + (this.probe.periodSeconds ?? 10) * 1000));
        if (!this.shouldRun(id, began)) {
            next();
            return;
        }
        this.inFlight = this.d.executor
            .run(this.probe, this.probe.timeoutSeconds ?? 1, { pod: this.pod, container: this.spec, containerId: id })
            .then((outcome) => {
            if (!this.stopped && this.id === id)
                this.record(id, outcome);
        })
            .finally(() => {
            this.inFlight = undefined;
            next();
        });
    }
    shouldRun(id, now) {
        if (this.onHold)
            return false;
        if (now < this.startedAt + (this.probe.initialDelaySeconds ?? 0) * 1000)
            return false;
        const uid = this.pod.metadata.uid;
        const started = this.d.state.started(uid, this.spec.name, id);
        // Startup stops once the container has started; the others wait for it.
        return this.kind === "startup" ? !started : started;
    }
    record(id, outcome) {
        const title = TITLE[this.kind];
        if (outcome.result === "unknown") {
            this.d.unhealthy(this.pod, this.spec.name, `${title} probe errored and resulted in unknown state: ${outcome.output}`);
            return;
        }
        if (outcome.result === "failure")
            this.d.unhealthy(this.pod, this.spec.name, `${title} probe failed: ${outcome.output}`);
        if (this.lastResult === outcome.result)
            this.resultRun++;
        else {
            this.lastResult = outcome.result;
            this.resultRun = 1;
        }
        const threshold = outcome.result === "failure" ? this.probe.failureThreshold ?? 3 : this.probe.successThreshold ?? 1;
        if (this.resultRun < threshold)
            return;
        this.apply(id, outcome.result === "success");
    }
    apply(id, ok) {
        const uid = this.pod.metadata.uid;
        const name = this.spec.name;
        let changed;
        if (this.kind === "readiness")
            changed = this.d.state.setReady(uid, name, id, ok);
        else if (ok)
            changed = this.kind === "startup" ? this.d.state.setStarted(uid, name, id) : false;
        else {
            this.d.state.setUnhealthy(uid, name, id, this.kind === "startup" ? "startup" : "liveness");
            // Stop probing until a new container replaces this one (worker.go: onHold).
            this.onHold = true;
            this.resultRun = 0;
            changed = true;
        }
        if (changed)
            this.d.changed(uid, name, this.kind);
    }
}
//# sourceMappingURL=probe-worker.js.map