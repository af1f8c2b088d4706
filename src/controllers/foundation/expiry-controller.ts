/**
 * A controller that deletes objects of one kind when a deadline of their own passes: the shape of the tokencleaner
 * (expired bootstrap-token Secrets) and the csrcleaner (old or expired CertificateSigningRequests). Each object
 * seen is synced once: past its deadline it is deleted (with a uid precondition, so a newer object of the same
 * name is never removed), before it the key is queued again for the deadline. An object without a deadline is left
 * alone until it changes.
 */
import { ApiError } from "../../api/errors.js";
import type { KubeObject } from "../../api/types.js";
import { runWorkers, type Controller, type ControllerContext, type ControllerFactory } from "./controller.js";
import { objectKey, splitKey, type Informer } from "./informer.js";
import { WorkQueue } from "./work-queue.js";

/** When an object is due for deletion and why; undefined when it never is (as it stands). */
export interface ExpiryDeadline {
  at: number;
  /** The log line's reason ("as it is more than 1h0m0s old and approved"). */
  reason: string;
}

export interface ExpiryPolicy<T extends KubeObject> {
  /** The controller's name (kube-controller-manager's: "csrcleaner", "tokencleaner"). */
  name: string;
  kind: string;
  /** Objects of the kind this controller looks at (the tokencleaner only at kube-system's token Secrets). */
  applies?(obj: T): boolean;
  deadline(obj: T): ExpiryDeadline | undefined;
}

class ExpiryController<T extends KubeObject> implements Controller {
  readonly name: string;
  private readonly queue: WorkQueue<string>;
  private readonly objects: Informer<T>;
  private done: Promise<void> | undefined;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly policy: ExpiryPolicy<T>,
  ) {
    this.name = policy.name;
    this.queue = new WorkQueue<string>(ctx.clock);
    this.objects = ctx.informers.informer<T>(policy.kind);
  }

  start(): void {
    const enqueue = (o: T): void => {
      if (this.policy.applies?.(o) ?? true) this.queue.add(objectKey(o));
    };
    this.objects.addHandler({ onAdd: enqueue, onUpdate: (_, o) => enqueue(o) });
    this.done = runWorkers(this.name, this.queue, 1, (key) => this.sync(key), this.ctx.log);
  }

  async stop(): Promise<void> {
    this.queue.shutDown();
    await this.done;
  }

  sync(key: string): void {
    const { namespace, name } = splitKey(key);
    const obj = this.objects.get(namespace, name);
    if (!obj || !(this.policy.applies?.(obj) ?? true)) return;
    const due = this.policy.deadline(obj);
    if (!due) return;
    const wait = due.at - this.ctx.clock.now();
    if (wait > 0) return this.queue.addAfter(key, wait);
    try {
      this.ctx.api.delete(this.policy.kind, namespace, name, { uid: obj.metadata.uid });
      this.ctx.log(`${this.name}: deleted ${this.policy.kind} ${key} ${due.reason}`);
    } catch (err) {
      // Already gone, or replaced by a newer object of the same name (whose own add event queues it).
      if (err instanceof ApiError && (err.code === 404 || err.code === 409)) return;
      throw err;
    }
  }
}

export function expiryController<T extends KubeObject>(policy: ExpiryPolicy<T>): ControllerFactory {
  return (ctx) => new ExpiryController(ctx, policy);
}
