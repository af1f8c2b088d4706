import { hookEventMessage } from "./lifecycle-hooks.js";
export const MIN_GRACE_SECONDS = 2;
/** The spec of a container of the pod, by name, init or not. */
export function specOf(pod, name, init) {
    return (init ? pod.spec.initContainers ?? [] : pod.spec.containers).find((c) => c.name === name);
}
export function fieldPathOf(pod, name) {
    return pod.spec.containers.some((c) => c.name === name) ? `spec.containers{${name}}` : `spec.initContainers{${name}}`;
}
export class ContainerKiller {
    d;
    constructor(d) {
        this.d = d;
    }
    /** Stops one container; `pod` (when known) gives its preStop hook and the event's object. */
    async kill(pod, c, o) {
        const spec = pod ? specOf(pod, c.name, c.init) : undefined;
        if (pod)
            this.d.events.record(pod, "Normal", "Killing", o.message ?? `Stopping container ${c.name}`, fieldPathOf(pod, c.name));
        let grace = o.grace;
        const preStop = spec?.lifecycle?.preStop;
        if (pod && spec && preStop && !o.force && grace > 0 && c.state === "running") {
            const began = this.d.clock.now();
            const msg = await this.d.hooks.run(preStop, { pod, container: spec, containerId: c.id, signal: o.signal }, grace);
            // A hook cut short by the daemon stopping has not failed.
            if (msg && !o.shutdown?.aborted) {
                this.d.events.record(pod, "Warning", "FailedPreStopHook", hookEventMessage(msg), fieldPathOf(pod, c.name));
                this.d.log?.(`pod ${pod.metadata.namespace}/${pod.metadata.name}: ${msg}`);
            }
            grace -= Math.floor((this.d.clock.now() - began) / 1000);
        }
        if (o.turn && grace > 0) {
            const began = this.d.clock.now();
            await waitOrTimeout(o.turn, grace * 1000, this.d.clock);
            grace -= Math.floor((this.d.clock.now() - began) / 1000);
        }
        if (!o.force)
            grace = Math.max(grace, MIN_GRACE_SECONDS);
        if (o.shutdown?.aborted)
            return;
        await untilAborted(this.d.runtime.stopContainer(c.id, Math.max(0, grace)), o.shutdown);
    }
    /** Stops every running container of the pod within one grace period: regular ones first, then the sidecars. */
    async killAll(pod, running, o) {
        const sidecarOrder = (pod?.spec.initContainers ?? []).filter((c) => c.restartPolicy === "Always").map((c) => c.name);
        const isSidecar = (c) => c.init && sidecarOrder.includes(c.name);
        const regular = running.filter((c) => !isSidecar(c));
        const sidecars = running.filter(isSidecar).sort((a, b) => sidecarOrder.indexOf(a.name) - sidecarOrder.indexOf(b.name));
        const regularDone = Promise.all(regular.map((c) => this.kill(pod, c, o)));
        let later = regularDone;
        const sidecarDone = [];
        for (const c of [...sidecars].reverse()) {
            const mine = this.kill(pod, c, { ...o, turn: later });
            sidecarDone.push(mine);
            later = Promise.all([later, mine]);
        }
        await Promise.all([regularDone, ...sidecarDone]);
    }
}
/** Waits for `p`, or until `signal` aborts (p then goes on unwatched; its failure is not reported). */
function untilAborted(p, signal) {
    if (!signal)
        return p;
    if (signal.aborted)
        return Promise.resolve();
    return new Promise((resolve, reject) => {
        const done = () => resolve();
        signal.addEventListener("abort", done, { once: true });
        p.then(resolve, (err) => (signal.aborted ? resolve() : reject(err))).finally(() => signal.removeEventListener("abort", done));
    });
}
function waitOrTimeout(p, ms, clock) {
    return new Promise((resolve) => {
        const t = clock.setTimeout(resolve, ms);
        void p.finally(() => {
            t.cancel();
            resolve();
        });
    });
}
//# sourceMappingURL=container-killer.js.map