import { probeOf, ProbeWorker } from "./probe-worker.js";
const KINDS = ["startup", "readiness", "liveness"];
export class Prober {
    d;
    pods = new Map();
    since;
    constructor(d) {
        this.d = d;
        this.since = d.clock.now();
    }
    /**
     * Aligns the pod's workers with its running containers: new instances get initial results (seeded from the
     * pod's status for instances that were running before this daemon started) and their first probe scheduled;
     * workers of containers that stopped existing are stopped.
     */
    update(pod, running) {
        const uid = pod.metadata.uid;
        let workers = this.pods.get(uid);
        const keep = new Set();
        for (const inst of running) {
            if (!this.d.state.knows(uid, inst.spec.name, inst.id))
                this.d.state.init(uid, inst.spec, inst.id, this.seed(pod, inst));
            for (const kind of KINDS) {
                if (!probeOf(inst.spec, kind))
                    continue;
                const key = `${inst.spec.name}/${kind}`;
                keep.add(key);
                if (!workers)
                    this.pods.set(uid, (workers = new Map()));
                let w = workers.get(key);
                if (!w)
                    workers.set(key, (w = new ProbeWorker(pod, inst.spec, kind, this.workerDeps())));
                w.update(pod, inst.spec, inst.id, inst.startedAt, this.firstRun(inst, kind));
            }
        }
        for (const [key, w] of workers ?? []) {
            if (keep.has(key))
                continue;
            w.stop();
            workers.delete(key);
        }
    }
    /** The pod is being deleted: liveness and startup probes stop (worker.go), readiness goes on until it is gone. */
    terminating(uid) {
        for (const [key, w] of this.pods.get(uid) ?? []) {
            if (w.kind === "readiness")
                continue;
            w.stop();
            this.pods.get(uid).delete(key);
        }
    }
    forget(uid) {
        for (const w of this.pods.get(uid)?.values() ?? [])
            w.stop();
        this.pods.delete(uid);
        this.d.state.forget(uid);
    }
    stop() {
        for (const uid of [...this.pods.keys()])
            this.forget(uid);
    }
    /** Resolves when no probe is running (tests on a fake clock). */
    async idle() {
        for (;;) {
            const busy = [...this.pods.values()].flatMap((m) => [...m.values()]).map((w) => w.inFlight).filter(Boolean);
            if (busy.length === 0)
                return;
            await Promise.all(busy);
        }
    }
    workerDeps() {
        return {
            clock: this.d.clock,
            state: this.d.state,
            executor: this.d.executor,
            unhealthy: this.d.unhealthy,
            changed: (uid, name, kind) => {
                // A container that just started: probe its readiness now rather than a period later.
                if (kind === "startup")
                    this.pods.get(uid)?.get(`${name}/readiness`)?.trigger();
                this.d.wake(uid);
            },
        };
    }
    adopted(inst) {
        return inst.startedAt < this.since;
    }
    /**
     * When a new instance is first probed. Readiness: at once (after initialDelaySeconds), as the kubelet triggers
     * it when a container starts. Liveness and startup: the kubelet's workers tick every period from their own start,
     * so the first run comes somewhere within one period after the delay; here it is max(delay, period) after the
     * container started — within that window, and never at the very start, where a liveness failure would kill a
     * container that had no time to come up.
     */
    firstRun(inst, kind) {
        const now = this.d.clock.now();
        const probe = probeOf(inst.spec, kind);
        const period = (probe.periodSeconds ?? 10) * 1000;
        if (this.adopted(inst))
            return now + Math.floor((this.d.random ?? Math.random)() * period);
        if (kind === "readiness")
            return now;
        return inst.startedAt + Math.max((probe.initialDelaySeconds ?? 0) * 1000, period);
    }
    /** What the pod's status said about an instance this daemon did not start (ready, started). */
    seed(pod, inst) {
        if (!this.adopted(inst))
            return {};
        const all = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])];
        const s = all.find((x) => x.name === inst.spec.name && x.containerID === `nodelet://${inst.id}`);
        return s ? { ready: s.ready, started: s.started } : {};
    }
}
//# sourceMappingURL=prober.js.map