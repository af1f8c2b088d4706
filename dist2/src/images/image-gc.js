export class ImageGC {
    d;
    seen = new Map();
    constructor(d) {
        this.d = d;
    }
    /** Notes which images exist and which are used now (the kubelet's detectImages). */
    detect() {
        const now = this.d.now();
        const records = this.d.records();
        const used = this.d.inUse();
        for (const r of records) {
            const s = this.seen.get(r.id) ?? { firstDetected: now, lastUsed: 0 };
            if (used.has(r.id))
                s.lastUsed = now;
            this.seen.set(r.id, s);
        }
        const ids = new Set(records.map((r) => r.id));
        for (const id of this.seen.keys())
            if (!ids.has(id))
                this.seen.delete(id);
        return { records, used };
    }
    /** The periodic check: frees down to the low threshold when usage is at or above the high one. */
    async garbageCollect() {
        const { capacityBytes, availableBytes } = this.d.fsStats();
        if (capacityBytes <= 0)
            return 0;
        const usagePercent = 100 - Math.floor((availableBytes * 100) / capacityBytes);
        if (usagePercent < this.d.policy.highThresholdPercent) {
            this.detect();
            return 0;
        }
        const toFree = Math.floor((capacityBytes * (100 - this.d.policy.lowThresholdPercent)) / 100) - availableBytes;
        this.d.log?.(`image garbage collection: disk usage ${usagePercent}% is at or above the high threshold ${this.d.policy.highThresholdPercent}%, freeing ${toFree} bytes`);
        const freed = await this.collect(toFree);
        if (freed < toFree)
            this.d.log?.(`image garbage collection: wanted to free ${toFree} bytes, but freed ${freed} bytes`);
        return freed;
    }
    /**
     * Deletes unused images, least recently used first (then oldest first seen), until `bytesWanted` are freed
     * (Infinity: all of them); resolves with the bytes freed (measured on the filesystem).
     */
    async collect(bytesWanted) {
        const { records, used } = this.detect();
        const now = this.d.now();
        const before = this.d.fsStats().availableBytes;
        const freed = () => Math.max(0, this.d.fsStats().availableBytes - before);
        const candidates = records
            .filter((r) => !used.has(r.id) && !r.local && now - (this.seen.get(r.id)?.firstDetected ?? now) >= this.d.policy.minAgeMs)
            .sort((a, b) => this.seen.get(a.id).lastUsed - this.seen.get(b.id).lastUsed || this.seen.get(a.id).firstDetected - this.seen.get(b.id).firstDetected);
        await this.d.removeOrphans();
        for (const r of candidates) {
            if (freed() >= bytesWanted)
                break;
            this.d.log?.(`image garbage collection: removing image ${r.id.slice(0, 12)} (${r.size} bytes)`);
            await this.d.deleteImage(r.id);
            this.seen.delete(r.id);
        }
        return freed();
    }
}
//# sourceMappingURL=image-gc.js.map