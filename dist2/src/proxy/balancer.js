export class RoundRobin {
    affinitySeconds;
    now;
    next = 0;
    endpoints = [];
    affinity = new Map();
    constructor(affinitySeconds, now = Date.now) {
        this.affinitySeconds = affinitySeconds;
        this.now = now;
    }
    /** Replaces the endpoints; clients stuck to an endpoint that is gone are forgotten. */
    update(endpoints, affinitySeconds) {
        this.endpoints = endpoints;
        this.affinitySeconds = affinitySeconds;
        const live = new Set(endpoints.map(key));
        for (const [client, a] of this.affinity)
            if (!live.has(key(a.ep)) || !affinitySeconds)
                this.affinity.delete(client);
        if (this.next >= endpoints.length)
            this.next = 0;
    }
    get size() {
        return this.endpoints.length;
    }
    /** The endpoint for a new connection from `client`, skipping those in `exclude` (failed just now). */
    pick(client, exclude = new Set()) {
        const now = this.now();
        if (this.affinitySeconds) {
            const a = this.affinity.get(client);
            if (a && now - a.last <= this.affinitySeconds * 1000 && !exclude.has(key(a.ep))) {
                a.last = now;
                return a.ep;
            }
        }
        for (let i = 0; i < this.endpoints.length; i++) {
            const ep = this.endpoints[this.next];
            this.next = (this.next + 1) % this.endpoints.length;
            if (exclude.has(key(ep)))
                continue;
            if (this.affinitySeconds)
                this.affinity.set(client, { ep, last: now });
            return ep;
        }
        return undefined;
    }
}
export function key(e) {
    return `${e.ip}:${e.port}`;
}
//# sourceMappingURL=balancer.js.map