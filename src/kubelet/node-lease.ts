/**
 * The node's heartbeat Lease (the kubelet's nodelease controller, k8s.io/component-helpers/apimachinery/lease):
 * `kube-node-lease/<node>` held by the node, leaseDurationSeconds 40, renewTime refreshed every 10 s (a quarter
 * of the duration) on the injected clock, owned by the Node so it goes with it. A failed renewal is retried after
 * 200 ms, doubling up to 7 s, as upstream's backoff does; then the 10 s rhythm resumes.
 */
import { ApiError } from "../api/errors.js";
import { microTime, NODE_LEASE_NAMESPACE, type Lease } from "../api/lease.js";
import type { Node } from "../api/types.js";
import type { Store } from "../store/store.js";
import type { Clock } from "./clock.js";

export const LEASE_DURATION_SECONDS = 40;
export const RENEW_INTERVAL_MS = (LEASE_DURATION_SECONDS * 1000) / 4;
const RETRY_FIRST_MS = 200;
const RETRY_MAX_MS = 7000;

export interface NodeLeaseOptions {
  store: Store;
  nodeName: string;
  clock: Clock;
  log?: (msg: string) => void;
}

export class NodeLease {
  private timer?: { cancel(): void };
  private retryMs = RETRY_FIRST_MS;
  private stopped = false;

  constructor(private readonly o: NodeLeaseOptions) {}

  /** Renews now, then every 10 s until stop(). */
  start(): void {
    this.stopped = false;
    this.tick();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
  }

  private tick(): void {
    if (this.stopped) return;
    let next = RENEW_INTERVAL_MS;
    try {
      this.renew();
      this.retryMs = RETRY_FIRST_MS;
    } catch (err) {
      this.o.log?.(`failed to update lease ${NODE_LEASE_NAMESPACE}/${this.o.nodeName}: ${err instanceof Error ? err.message : String(err)}`);
      next = this.retryMs;
      this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2);
    }
    this.timer = this.o.clock.setTimeout(() => this.tick(), next);
  }

  /** Creates the Lease or moves its renewTime to now (holder and duration restored if someone changed them). */
  renew(): Lease {
    const { store, nodeName, clock } = this.o;
    const now = microTime(clock.now());
    const current = store.get<Lease>("Lease", NODE_LEASE_NAMESPACE, nodeName);
    const node = store.get<Node>("Node", "", nodeName);
    const owners = node?.metadata.uid ? [{ apiVersion: "v1", kind: "Node", name: nodeName, uid: node.metadata.uid }] : undefined;
    const spec = { holderIdentity: nodeName, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: now };
    if (!current) {
      try {
        return store.create<Lease>({
          apiVersion: "coordination.k8s.io/v1",
          kind: "Lease",
          metadata: { name: nodeName, namespace: NODE_LEASE_NAMESPACE, ...(owners ? { ownerReferences: owners } : {}) },
          spec,
        });
      } catch (err) {
        // Another writer made it in between: the next renewal updates it.
        if (err instanceof ApiError && err.reason === "AlreadyExists") return store.get<Lease>("Lease", NODE_LEASE_NAMESPACE, nodeName)!;
        throw err;
      }
    }
    const metadata = !current.metadata.ownerReferences?.length && owners ? { ...current.metadata, ownerReferences: owners } : current.metadata;
    return store.update<Lease>({ ...current, metadata, spec: { ...current.spec, ...spec } });
  }
}
