/**
 * The resource quota controller (pkg/controller/resourcequota): every ResourceQuota's status says its hard limits
 * (spec.hard) and what its namespace's objects use of them (api/quota-usage.ts), recounted when a quota or an
 * object it counts changes, and every `resyncMs` (pods whose deletion grace ran out, kinds counted by count/<resource>
 * that are not watched). Writes are gathered and made once per event-loop turn (a write from inside a watch handler
 * would re-enter the store).
 */
import { ApiError } from "../api/errors.js";
import { kindsCounted, quotaUsed, toResourceList } from "../api/quota-usage.js";
import type { ResourceQuota } from "../api/quota.js";
import { deepEqual } from "../api/json.js";
import type { KubeObject } from "../api/types.js";
import type { Store } from "../store/store.js";
import { NamespaceMarks } from "./namespace-marks.js";

const WATCHED = ["ResourceQuota", "Pod", "Service", "ConfigMap", "Secret", "PersistentVolumeClaim"];

export class ResourceQuotaController {
  private readonly marks = new NamespaceMarks((ns) => this.recount(ns));
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Store,
    private readonly log: (msg: string) => void = () => undefined,
    private readonly resyncMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    this.marks.watching(WATCHED.map((kind) => this.store.watch(kind, {}, (ev) => this.marks.mark(ev.object.metadata.namespace ?? ""))));
    this.timer = setInterval(() => this.resync(), this.resyncMs);
    this.timer.unref();
    this.resync();
  }

  stop(): void {
    this.marks.stop();
    if (this.timer) clearInterval(this.timer);
  }

  private resync(): void {
    for (const rq of this.store.list<ResourceQuota>("ResourceQuota").items) this.marks.add(rq.metadata.namespace ?? "");
    this.flush();
  }

  /** Recounts the quotas of every marked namespace. */
  flush(): void {
    this.marks.flush();
  }

  private recount(ns: string): void {
    const quotas = this.store.list<ResourceQuota>("ResourceQuota", { namespace: ns }).items;
    if (!quotas.length) return;
    const objects = new Map<string, KubeObject[]>();
    for (const rq of quotas) {
      const kinds = kindsCounted(Object.keys(rq.spec?.hard ?? {}));
      for (const k of kinds) if (!objects.has(k)) objects.set(k, this.store.list(k, { namespace: ns }).items);
      const status = { hard: rq.spec?.hard ?? {}, used: toResourceList(quotaUsed(rq, kinds.flatMap((k) => objects.get(k) ?? []), this.now())) };
      if (deepEqual(rq.status ?? {}, status)) continue;
      try {
        this.store.update<ResourceQuota>({ ...rq, status }, { resourceVersion: rq.metadata.resourceVersion, subresource: "status" });
      } catch (err) {
        // A quota changed meanwhile: its watch event marks the namespace again.
        if (!(err instanceof ApiError && (err.code === 409 || err.code === 404))) this.log(`resource quota ${ns}/${rq.metadata.name}: ${(err as Error).message}`);
      }
    }
  }
}
