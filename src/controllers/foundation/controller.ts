/**
 * What every controller is made of, and the manager that runs them (kube-controller-manager, in-process):
 * - a ControllerContext: the API (reads through shared informers, writes through ObjectApi), the clock, a log, an
 *   event recorder per component, and the node the controllers bind pods to until a scheduler exists;
 * - a Controller: start() registers informer handlers and starts its workers; stop() ends them;
 * - runWorkers(): N workers taking keys from a WorkQueue and calling sync(key) — a success forgets the key's
 *   back-off, a failure requeues it rate-limited (client-go's processNextWorkItem).
 * The manager builds and starts every controller (handlers registered, workers waiting on empty queues), then
 * starts the informers, whose initial lists fill the queues.
 */
import type { ObjectApi } from "../../api/object-api.js";
import type { PodMetrics } from "../../api/types.js";
import type { Clock } from "./clock.js";
import { EventRecorder } from "./events.js";
import { InformerFactory } from "./informer.js";
import type { WorkQueue } from "./work-queue.js";

/** Pod usage as the Metrics API (metrics.k8s.io) reports it: running pods of a namespace matching a label selector. */
export interface PodMetricsSource {
  podMetrics(namespace: string, labelSelector: string): Promise<PodMetrics[]>;
}

export interface ControllerContext {
  api: ObjectApi;
  /** The resource metrics the autoscaler reads; absent, it reports that no metrics API is served. */
  metrics?: PodMetricsSource;
  informers: InformerFactory;
  clock: Clock;
  log: (msg: string) => void;
  /** An event recorder whose events name `component` as their source ("replicaset-controller"). */
  recorder(component: string): EventRecorder;
  /** The node pods are bound to (spec.nodeName) by the controllers that create them. */
  nodeName: string;
}

export interface Controller {
  readonly name: string;
  /** Registers handlers on the shared informers and starts the workers. */
  start(): void;
  /** Shuts the queue down and waits for the workers to finish their current key. */
  stop(): Promise<void>;
}

export type ControllerFactory = (ctx: ControllerContext) => Controller;

/**
 * Runs `workers` loops over `queue`, each calling `sync(key)` for one key at a time. Returns a promise that settles
 * when the queue is shut down and every loop has finished its key.
 */
export function runWorkers(name: string, queue: WorkQueue<string>, workers: number, sync: (key: string) => Promise<void> | void, log: (msg: string) => void): Promise<void> {
  const loop = async (): Promise<void> => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        await sync(key);
        queue.forget(key);
      } catch (err) {
        log(`${name}: syncing ${key} failed (retry ${queue.numRequeues(key) + 1}): ${err instanceof Error ? err.message : String(err)}`);
        queue.addRateLimited(key);
      } finally {
        queue.done(key);
      }
    }
  };
  return Promise.all(Array.from({ length: workers }, loop)).then(() => undefined);
}

export interface ManagerOptions {
  api: ObjectApi;
  clock: Clock;
  nodeName: string;
  log?: (msg: string) => void;
  /** Informer resync period; 0 turns it off. */
  resyncMs?: number;
  metrics?: PodMetricsSource;
}

/** Starts and stops a set of controllers over one set of shared informers. */
export class ControllerManager {
  readonly context: ControllerContext;
  private readonly controllers: Controller[] = [];

  constructor(opts: ManagerOptions) {
    const log = opts.log ?? (() => undefined);
    const informers = new InformerFactory(opts.api, opts.clock, opts.resyncMs ?? 0);
    this.context = {
      api: opts.api,
      metrics: opts.metrics,
      informers,
      clock: opts.clock,
      log,
      nodeName: opts.nodeName,
      recorder: (component) => new EventRecorder(opts.api, component, opts.clock, log),
    };
  }

  /** Builds and starts each controller, then the informers. */
  start(factories: ControllerFactory[]): void {
    for (const f of factories) this.controllers.push(f(this.context));
    for (const c of this.controllers) c.start();
    this.context.informers.start();
  }

  names(): string[] {
    return this.controllers.map((c) => c.name);
  }

  async stop(): Promise<void> {
    this.context.informers.stop();
    await Promise.all(this.controllers.map((c) => c.stop()));
    this.controllers.length = 0;
  }
}
