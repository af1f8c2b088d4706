export class ProbeState {
    pods = new Map();
    entry(uid, name, id) {
        let pod = this.pods.get(uid);
        if (!pod)
            this.pods.set(uid, (pod = new Map()));
        let e = pod.get(name);
        if (!e || e.id !== id)
            pod.set(name, (e = { id }));
        return e;
    }
    /** Whether results for this instance exist (the prober has seen it). */
    knows(uid, name, id) {
        return this.pods.get(uid)?.get(name)?.id === id;
    }
    /** A new instance: readiness starts false with a probe, startup false with a probe; `seed` overrides (restart). */
    init(uid, spec, id, seed = {}) {
        const e = this.entry(uid, spec.name, id);
        e.ready = spec.readinessProbe ? seed.ready ?? false : undefined;
        e.started = spec.startupProbe ? seed.started ?? false : undefined;
        e.unhealthy = undefined;
    }
    /** Returns true when the value changed. */
    setReady(uid, name, id, ready) {
        const e = this.entry(uid, name, id);
        const changed = e.ready !== ready;
        e.ready = ready;
        return changed;
    }
    setStarted(uid, name, id) {
        const e = this.entry(uid, name, id);
        const changed = e.started !== true;
        e.started = true;
        return changed;
    }
    setUnhealthy(uid, name, id, probe) {
        this.entry(uid, name, id).unhealthy = probe;
    }
    started(uid, name, id) {
        const e = this.pods.get(uid)?.get(name);
        return e?.id === id ? e.started !== false : false;
    }
    forget(uid) {
        this.pods.delete(uid);
    }
    /**
     * The results for the given running instances. An instance the prober has not seen yet counts as not ready
     * (readiness probe) and not started (startup probe), as a fresh kubelet worker's initial values do.
     */
    view(uid, running) {
        const out = { unhealthy: new Map(), notStarted: new Set(), readiness: new Map(), started: new Map() };
        const pod = this.pods.get(uid);
        for (const { spec, id } of running) {
            const e = pod?.get(spec.name);
            const known = e?.id === id ? e : undefined;
            if (known?.unhealthy)
                out.unhealthy.set(spec.name, known.unhealthy);
            if (spec.startupProbe) {
                const started = known?.started ?? false;
                out.started.set(spec.name, started);
                if (!started)
                    out.notStarted.add(spec.name);
            }
            if (spec.readinessProbe)
                out.readiness.set(spec.name, known?.ready ?? false);
        }
        return out;
    }
}
//# sourceMappingURL=probe-state.js.map