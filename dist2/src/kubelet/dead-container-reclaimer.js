import { diskUsage } from "../sys/node-stats.js";
import { collectableContainers } from "./container-gc.js";
export class DeadContainerReclaimer {
    runtime;
    paths;
    name = "dead containers";
    /** `paths(record)`: what removing the container frees (its directory and its log). */
    constructor(runtime, paths) {
        this.runtime = runtime;
        this.paths = paths;
    }
    async reclaim(bytesWanted) {
        const dead = [];
        for (const s of this.runtime.sandboxes()) {
            const records = this.runtime.containers(s.podUid);
            const ids = new Set(collectableContainers(records, 1));
            dead.push(...records.filter((c) => ids.has(c.id)));
        }
        dead.sort((a, b) => (a.finishedAt ?? a.createdAt).localeCompare(b.finishedAt ?? b.createdAt));
        let freed = 0;
        for (const c of dead) {
            if (freed >= bytesWanted)
                break;
            const size = (await diskUsage(this.paths(c))).bytes;
            await this.runtime.removeContainer(c.id);
            freed += size;
        }
        return freed;
    }
}
//# sourceMappingURL=dead-container-reclaimer.js.map