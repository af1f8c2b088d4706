/**
 * Follows one pod through a watch and lets a verb wait for a condition on it (`until(pred)`), without polling.
 * A predicate may throw to abandon the wait (a container that can never start).
 */
import type { Pod, WatchEvent } from "../api/types.js";
import type { ApiClient, WatchHandle } from "../client/index.js";

export class PodWatcher {
  private latest: Pod;
  private gone = false;
  private readonly waiters: (() => void)[] = [];
  private readonly handle: WatchHandle;
  private failure: unknown;

  constructor(client: ApiClient, namespace: string, name: string, initial: Pod) {
    this.latest = initial;
    this.handle = client.watch(
      `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`,
      { fieldSelector: `metadata.name=${name}`, resourceVersion: initial.metadata.resourceVersion, watch: "true" },
      (ev: WatchEvent) => {
        if (ev.type === "DELETED") this.gone = true;
        else if (ev.type === "ADDED" || ev.type === "MODIFIED") this.latest = ev.object as Pod;
        this.notify();
      },
    );
    this.handle.done.then(
      () => this.notify(),
      (err: unknown) => {
        this.failure = err;
        this.notify();
      },
    );
  }

  private notify(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves with the pod once `pred` holds; rejects when the pod is deleted, the watch fails or pred throws. */
  async until(pred: (p: Pod) => boolean): Promise<Pod> {
    for (;;) {
      if (pred(this.latest)) return this.latest;
      if (this.gone) throw new Error(`pod ${this.latest.metadata.name} was deleted`);
      if (this.failure) throw this.failure;
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  stop(): void {
    this.handle.stop();
  }
}
