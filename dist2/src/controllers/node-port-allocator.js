/**
 * NodePorts from the node port range (30000-32767 by default), as the API server's portallocator does: a requested
 * port must be in range and free; one service may use the same number for the TCP and the UDP side of a port;
 * allocated ports are random.
 */
import { invalid } from "../api/field.js";
import { ObjectIndex } from "./object-index.js";
export class NodePortAllocator {
    range;
    random;
    index = new ObjectIndex((svc) => nodePortsOf(svc).map(String));
    constructor(range, random = Math.random) {
        this.range = range;
        this.random = random;
    }
    follow(store) {
        return this.index.follow(store, "Service");
    }
    holder(port) {
        return this.index.holder(String(port));
    }
    /** Throws a FieldError at `field` when `port` is out of range or held by a service other than `owner`. */
    checkRequested(port, owner, field) {
        const [lo, hi] = this.range;
        if (port < lo || port > hi) {
            throw invalid(field, port, `provided port is not in the valid range. The range of valid ports is ${lo}-${hi}`);
        }
        const holder = this.holder(port);
        if (holder && holder !== owner)
            throw invalid(field, port, `provided port is already allocated (to service ${holder})`);
    }
    /** A free port not in `exclude` (ports picked earlier in the same request); undefined when the range is full. */
    allocate(exclude) {
        const [lo, hi] = this.range;
        const count = hi - lo + 1;
        const start = Math.floor(this.random() * count);
        for (let i = 0; i < count; i++) {
            const port = lo + ((start + i) % count);
            if (!this.holder(port) && !exclude.has(port))
                return port;
        }
        return undefined;
    }
}
export function nodePortsOf(svc) {
    return [...new Set((svc.spec?.ports ?? []).map((p) => p.nodePort ?? 0).filter((p) => p > 0))];
}
//# sourceMappingURL=node-port-allocator.js.map