/**
 * What the API side of any cluster runs, whichever process serves the API: the endpoints controller
 * (kube-controller-manager's) and event expiry (kube-apiserver's --event-ttl). The all-in-one daemon starts them
 * beside its API, the control plane's elected replica with its controllers; a joined node runs neither (its control
 * plane does).
 */
import { EndpointsController } from "../controllers/endpoints-controller.js";
import { collectEvents } from "../store/event-expiry.js";
import type { Clock } from "../sys/clock.js";
import { withFieldManager } from "../store/field-manager-store.js";
import type { Store } from "../store/store.js";

export interface ApiUpkeep {
  /** Stops both; an expiry pass under way finishes, and no next one starts. */
  stop(): void;
}

/**
 * Starts the endpoints controller (its writes under the kube-controller-manager field manager) and a sweep of the
 * events older than `eventTtlMs`, every half TTL (at least every second, at most every minute), the next one timed
 * from the end of the last. A failed sweep is logged; the next one tries again.
 */
export function startApiUpkeep(store: Store, eventTtlMs: number, clock: Clock, log: (m: string) => void): ApiUpkeep {
  const endpoints = new EndpointsController(withFieldManager(store, "kube-controller-manager"), log);
  endpoints.start();
  const periodMs = Math.min(60_000, Math.max(1000, eventTtlMs / 2));
  let stopped = false;
  let timer: { cancel(): void } | undefined;
  const sweep = async (): Promise<void> => {
    try {
      await collectEvents(store, clock.now(), eventTtlMs);
    } catch (err) {
      log(`event expiry: ${(err as Error).message}`);
    }
    if (!stopped) timer = clock.setTimeout(() => void sweep(), periodMs);
  };
  timer = clock.setTimeout(() => void sweep(), periodMs);
  return {
    stop() {
      stopped = true;
      timer?.cancel();
      endpoints.stop();
    },
  };
}
