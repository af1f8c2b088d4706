import { allocatable, buildNode } from "./node-status.js";
import { rfc3339 } from "./status-writer.js";
export class NodeHeartbeat {
    o;
    timer;
    constructor(o) {
        this.o = o;
    }
    /** Writes the Node now and every interval after. */
    start() {
        this.write();
        this.timer = setInterval(() => this.writeSafely(), this.o.intervalMs ?? 10_000);
        this.timer.unref();
    }
    stop() {
        clearInterval(this.timer);
    }
    /** write(), with a failure logged rather than thrown (the timer's and the eviction manager's calls). */
    writeSafely() {
        try {
            this.write();
        }
        catch (err) {
            this.o.log?.(`node status: ${String(err)}`);
        }
    }
    write() {
        const { store, facts, settings } = this.o;
        const prev = store.get("Node", "", settings.name);
        const node = buildNode(facts, settings, prev, rfc3339(this.o.now()), this.o.pressure());
        if (!prev) {
            store.create(node);
            return;
        }
        // Taints live in the spec: written (as the node lifecycle controller does) only when they change.
        if (JSON.stringify(prev.spec?.taints ?? []) !== JSON.stringify(node.spec?.taints ?? [])) {
            store.update({ ...prev, spec: { ...prev.spec, taints: node.spec?.taints } });
        }
        store.update({ ...node, metadata: prev.metadata }, { subresource: "status" });
    }
    allocatable() {
        const a = allocatable(this.o.facts, this.o.settings);
        return { cpuMilli: a.cpuMilli, memoryBytes: a.memoryBytes, pods: a.pods };
    }
}
//# sourceMappingURL=node-heartbeat.js.map