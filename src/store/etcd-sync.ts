/**
 * Synchronous calls to etcd for the Store (whose calls are synchronous, store.ts): each request goes to the etcd
 * worker (etcd-worker.ts) on a MessagePort and the calling thread blocks on a shared word until the worker stores the
 * request's id there; the answer is then taken off the port with receiveMessageOnPort. A call blocks the event loop
 * for one etcd round trip (a few hundred microseconds on loopback, a disk sync for a write); a request that takes
 * longer than the timeout fails, and its late answer is dropped.
 */
import { createRequire } from "node:module";
import { MessageChannel, Worker, type MessagePort } from "node:worker_threads";
import { callBlocking } from "./blocking-call.js";
import {
  workerSource,
  type CatchUpResult,
  type Compare,
  type Op,
  type RangeResult,
  type Request,
  type TxnResult,
  type WatchMessage,
} from "./etcd-worker.js";

const STARTUP_TIMEOUT_MS = 60_000;

export class EtcdError extends Error {
  constructor(
    message: string,
    readonly code?: number,
  ) {
    super(message);
  }

  /** The revision asked for is older than etcd's last compaction. */
  get compacted(): boolean {
    return /required revision has been compacted/.test(this.message);
  }
}

export class EtcdSync {
  private readonly worker: Worker;
  /** [0]: the id of the last answer; [1]: 1 once the worker has loaded the client. */
  private readonly signal = new Int32Array(new SharedArrayBuffer(8));
  private readonly requests: MessagePort;
  private readonly watchPort: MessagePort;
  private nextId = 1;
  private closed = false;

  constructor(
    endpoints: string[],
    private readonly timeoutMs: number,
    onWatch: (m: WatchMessage) => void,
  ) {
    const req = new MessageChannel();
    const watch = new MessageChannel();
    this.requests = req.port1;
    this.watchPort = watch.port1;
    const etcd3Path = createRequire(import.meta.url).resolve("etcd3");
    this.worker = new Worker(workerSource(), {
      eval: true,
      workerData: { etcd3Path, init: { endpoints, signal: this.signal, requests: req.port2, watch: watch.port2 } },
      transferList: [req.port2, watch.port2],
    });
    // The worker must not keep the process alive on its own: the store's owner closes it.
    this.worker.unref();
    this.watchPort.on("message", onWatch);
    this.watchPort.unref();
    // Loading gRPC and etcd's protos takes a second on a quiet machine, many on a loaded one: a bound of its own,
    // so that the requests' bound stays an etcd's answer time.
    if (Atomics.wait(this.signal, 1, 0, STARTUP_TIMEOUT_MS) === "timed-out" && Atomics.load(this.signal, 1) === 0) {
      void this.worker.terminate();
      throw new EtcdError(`the etcd client did not start within ${STARTUP_TIMEOUT_MS} ms`);
    }
  }

  range(key: string, opts: { rangeEnd?: string; limit?: number; revision?: number; countOnly?: boolean; keysOnly?: boolean } = {}): RangeResult {
    return this.call({ op: "range", key, ...opts }) as RangeResult;
  }

  txn(compare: Compare[], success: Op[], failure: Op[]): TxnResult {
    return this.call({ op: "txn", compare, success, failure }) as TxnResult;
  }

  compact(revision: number): void {
    this.call({ op: "compact", revision });
  }

  /** Opens the watch stream on `prefix` from `startRevision`; its messages go to the constructor's onWatch. */
  watch(prefix: string, startRevision: number): void {
    this.call({ op: "watch", prefix, startRevision });
  }

  /** The watch stream's batches after `after`, once the stream has reached `revision` (asking etcd for progress). */
  catchUp(revision: number, after: number): CatchUpResult {
    return this.call({ op: "catchUp", revision, after, timeoutMs: this.timeoutMs }) as CatchUpResult;
  }

  close(): void {
    if (this.closed) return;
    try {
      this.call({ op: "close" });
    } catch {
      // Closing is best effort: the worker goes with terminate() below either way.
    }
    this.closed = true;
    this.watchPort.close();
    void this.worker.terminate();
  }

  private call(req: Request): unknown {
    if (this.closed) throw new EtcdError("the etcd client is closed");
    return callBlocking<unknown>({
      port: this.requests,
      signal: this.signal,
      id: this.nextId++,
      timeoutMs: this.timeoutMs,
      failed: (message, code) => new EtcdError(message, code),
      timedOut: () => new EtcdError(`etcd did not answer within ${this.timeoutMs} ms (${req.op})`),
    }, req);
  }
}
