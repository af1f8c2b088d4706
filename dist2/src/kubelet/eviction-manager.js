import { admitUnderPressure, emptyEvictionState, evaluate, evictionGracePeriod, evictionMessage, isCriticalPod, rankForEviction, thresholdMet, } from "./eviction.js";
import { hasEphemeralStorageLimit, localStorageViolation } from "./local-storage-eviction.js";
import { bytesToReclaim, runReclaimers } from "./node-reclaim.js";
export class EvictionManager {
    o;
    state = emptyEvictionState();
    current = [];
    timer;
    running;
    again = false;
    stopped = false;
    constructor(o) {
        this.o = o;
    }
    /** The pressure conditions of the last round. */
    conditions() {
        return this.current;
    }
    /** Admission under pressure: why `pod` may not start now, or undefined. */
    admit(pod) {
        return admitUnderPressure(pod, this.current);
    }
    start() {
        this.stopped = false;
        this.schedule();
    }
    stop() {
        this.stopped = true;
        this.timer?.cancel();
    }
    /** Runs a round now (or right after the one in progress); resolves with the pods it evicted. */
    poke() {
        if (this.running) {
            this.again = true;
            return this.running;
        }
        this.running = this.synchronize()
            .catch((err) => {
            this.o.log?.(`eviction manager: ${err instanceof Error ? err.message : String(err)}`);
            return [];
        })
            .finally(() => {
            this.running = undefined;
            if (this.again && !this.stopped) {
                this.again = false;
                void this.poke();
            }
        });
        return this.running;
    }
    schedule() {
        if (this.stopped)
            return;
        this.timer = this.o.clock.setTimeout(() => {
            void this.poke().then(() => this.schedule());
        }, this.o.intervalMs);
    }
    /** One round: observe, report, reclaim, evict at most one pod. */
    async synchronize() {
        const overLimit = await this.localStorageEviction();
        if (this.o.thresholds.length === 0)
            return overLimit;
        const obs = await this.o.observe();
        const ev = evaluate(this.o.thresholds, obs, this.state, this.o.clock.now(), this.o.transitionMs);
        this.state = ev.state;
        if (ev.conditions.join() !== this.current.join()) {
            this.current = ev.conditions;
            this.o.log?.(`node conditions: ${ev.conditions.length ? ev.conditions.join(", ") : "no pressure"}`);
            this.o.onConditions?.(ev.conditions);
        }
        if (overLimit.length)
            return overLimit;
        const t = ev.reclaim;
        if (!t)
            return [];
        if (await this.reclaimedEnough(t, obs))
            return [];
        const pods = this.o.activePods().filter((p) => !isCriticalPod(p));
        const usage = new Map();
        for (const p of pods)
            usage.set(p, await this.o.podUsage(p).catch(() => undefined));
        for (const pod of rankForEviction(t.signal, pods, (p) => usage.get(p))) {
            const message = evictionMessage(t, obs, pod, usage.get(pod));
            this.o.log?.(`evicting pod ${pod.metadata.namespace}/${pod.metadata.name}: ${message}`);
            await this.o.evict(pod, evictionGracePeriod(t, pod, this.o.maxPodGraceSeconds), message);
            return [pod];
        }
        return [];
    }
    /** Node-level reclaim first; true when afterwards no threshold is met any more (counting minimum reclaim). */
    async reclaimedEnough(t, before) {
        const reclaimers = this.o.reclaimers.forSignal(t.signal, this.o.sharedImageFs());
        if (reclaimers.length === 0)
            return false;
        await runReclaimers(reclaimers, bytesToReclaim(t, before), this.o.log);
        const obs = await this.o.observe();
        return !this.o.thresholds.some((x) => thresholdMet(x, obs, true));
    }
    /** Evicts, at once, every pod over its ephemeral-storage limits (the kubelet does so whatever the signals say). */
    async localStorageEviction() {
        const out = [];
        for (const pod of this.o.activePods().filter((p) => hasEphemeralStorageLimit(p) && !isCriticalPod(p))) {
            const usage = await this.o.podUsage(pod).catch(() => undefined);
            const message = usage && localStorageViolation(pod, usage);
            if (!message)
                continue;
            this.o.log?.(`evicting pod ${pod.metadata.namespace}/${pod.metadata.name}: ${message}`);
            await this.o.evict(pod, 0, message);
            out.push(pod);
        }
        return out;
    }
}
//# sourceMappingURL=eviction-manager.js.map