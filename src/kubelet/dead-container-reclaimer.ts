/**
 * The dead-container reclaimer (the kubelet's containerGC.DeleteAllUnusedContainers under disk pressure): removes
 * the dead containers the pod sync keeps for `logs --previous` — all but the newest instance of each container
 * name, so a pod's status keeps its last state — oldest first, each with its writable layer and its log, until
 * the wanted bytes are freed. Running containers are never touched.
 */
import type { PodRuntime, ContainerRecord } from "../runtime/pod-runtime.js";
import { diskUsage } from "../sys/node-stats.js";
import { collectableContainers } from "./container-gc.js";
import type { Reclaimer } from "./node-reclaim.js";

export class DeadContainerReclaimer implements Reclaimer {
  readonly name = "dead containers";

  /** `paths(record)`: what removing the container frees (its directory and its log). */
  constructor(
    private readonly runtime: Pick<PodRuntime, "sandboxes" | "containers" | "removeContainer">,
    private readonly paths: (c: ContainerRecord) => string[],
  ) {}

  async reclaim(bytesWanted: number): Promise<number> {
    const dead: ContainerRecord[] = [];
    for (const s of this.runtime.sandboxes()) {
      const records = this.runtime.containers(s.podUid);
      const ids = new Set(collectableContainers(records, 1));
      dead.push(...records.filter((c) => ids.has(c.id)));
    }
    dead.sort((a, b) => (a.finishedAt ?? a.createdAt).localeCompare(b.finishedAt ?? b.createdAt));
    let freed = 0;
    for (const c of dead) {
      if (freed >= bytesWanted) break;
      const size = (await diskUsage(this.paths(c))).bytes;
      await this.runtime.removeContainer(c.id);
      freed += size;
    }
    return freed;
  }
}
