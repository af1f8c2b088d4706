export class MetricsSampler {
    read;
    freshWindowMs;
    last = new Map();
    windowMs = 500;
    constructor(read, freshWindowMs = 500) {
        this.read = read;
        this.freshWindowMs = freshWindowMs;
    }
    async sample(id) {
        let prev = this.last.get(id);
        const now = Date.now();
        if (!prev || now - prev.at < 1000 || now - prev.at > 60_000) {
            const u = await this.read(id);
            prev = { at: Date.now(), cpuNanos: u.cpuNanos };
            await new Promise((r) => setTimeout(r, this.freshWindowMs));
        }
        const u = await this.read(id);
        const at = Date.now();
        this.last.set(id, { at, cpuNanos: u.cpuNanos });
        this.windowMs = at - prev.at;
        const cpuNanoCores = this.windowMs > 0 ? ((u.cpuNanos - prev.cpuNanos) / (this.windowMs * 1e6)) * 1e9 : 0;
        return { cpuNanoCores: Math.max(0, cpuNanoCores), memoryBytes: u.memoryWorkingSetBytes };
    }
    forget(id) {
        this.last.delete(id);
    }
}
//# sourceMappingURL=metrics-sampler.js.map