/**
 * Follows one pod through a watch and lets a verb wait for a condition on it (`until(pred)`), without polling.
 * A predicate may throw to abandon the wait (a container that can never start).
 *
 * The watch can be opened before the pod is created, so that the two requests travel together (`run --attach`
 * waits on both): it starts from the current state (resourceVersion "0"), and track() then names the pod that
 * counts, by uid, so events of an earlier pod of the same name are ignored.
 */
import type { Pod, WatchEvent } from "../api/types.js";
import type { ApiClient, WatchHandle } from "../client/index.js";

export class PodWatcher {
  private latest: Pod | undefined;
  private uid: string | undefined;
  private gone = false;
  private readonly waiters: (() => void)[] = [];
  private readonly handle: WatchHandle;
  private failure: Error | undefined;

  constructor(client: ApiClient, namespace: string, name: string, initial?: Pod) {
    if (initial) this.track(initial);
    this.handle = client.watch(
      `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`,
      { fieldSelector: `metadata.name=${name}`, resourceVersion: initial?.metadata.resourceVersion ?? "0", watch: "true" },
      (ev: WatchEvent) => {
        const pod = ev.object as Pod;
        if (this.uid !== undefined && pod.metadata?.uid !== this.uid) return;
        if (ev.type === "DELETED") this.gone = true;
        else if (ev.type === "ADDED" || ev.type === "MODIFIED") this.latest = pod;
        this.notify();
      },
    );
    this.handle.done.then(
      () => this.notify(),
      (err: unknown) => {
        this.failure = err instanceof Error ? err : new Error(String(err));
        this.notify();
      },
    );
  }

  /** From now on only this pod counts; it is the latest state unless the watch has already shown a newer one. */
  track(pod: Pod): void {
    this.uid = pod.metadata.uid;
    if (this.latest?.metadata.uid !== this.uid) {
      this.latest = pod;
      this.gone = false;
    }
    this.notify();
  }

  private notify(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves with the pod once `pred` holds; rejects when the pod is deleted, the watch fails or pred throws. */
  async until(pred: (p: Pod) => boolean): Promise<Pod> {
    for (;;) {
      if (this.latest && this.uid !== undefined && pred(this.latest)) return this.latest;
      if (this.gone) throw new Error(`pod ${this.latest?.metadata.name ?? ""} was deleted`);
      if (this.failure) throw this.failure;
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  stop(): void {
    this.handle.stop();
  }
}
