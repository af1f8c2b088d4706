/**
 * Synchronous HTTPS calls for the remote store (whose calls are synchronous, store.ts): each request goes to the
 * remote worker (remote-worker.ts) on a MessagePort and the calling thread blocks on a shared word until the worker
 * stores the request's id there, as etcd-sync.ts does for etcd. A call blocks the event loop for one round trip to
 * the control plane; a request that takes longer than the timeout fails and its late answer is dropped.
 */
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from "node:worker_threads";
import { remoteWorkerSource, type HttpReply, type HttpRequest, type RemoteEndpoint, type Reply } from "./remote-worker.js";

const STARTUP_TIMEOUT_MS = 30_000;

export class RemoteSync {
  private readonly worker: Worker;
  /** [0]: the id of the last answer; [1]: 1 once the worker runs. */
  private readonly signal = new Int32Array(new SharedArrayBuffer(8));
  private readonly requests: MessagePort;
  private nextId = 1;
  private closed = false;

  constructor(
    endpoint: RemoteEndpoint,
    private readonly timeoutMs: number,
  ) {
    const channel = new MessageChannel();
    this.requests = channel.port1;
    this.worker = new Worker(remoteWorkerSource(), {
      eval: true,
      workerData: { init: { endpoint, signal: this.signal, requests: channel.port2, timeoutMs } },
      transferList: [channel.port2],
    });
    // The worker must not keep the process alive on its own: the store's owner closes it.
    this.worker.unref();
    if (Atomics.wait(this.signal, 1, 0, STARTUP_TIMEOUT_MS) === "timed-out" && Atomics.load(this.signal, 1) === 0) {
      void this.worker.terminate();
      throw new Error(`the API client thread did not start within ${STARTUP_TIMEOUT_MS} ms`);
    }
  }

  /** One request, answered or failed (connection refused, TLS refused, timeout) before it returns. */
  request(req: HttpRequest): HttpReply {
    if (this.closed) throw new Error("the API client is closed");
    return this.call(req);
  }

  close(): void {
    if (this.closed) return;
    try {
      this.call({ close: true });
    } catch {
      // Closing is best effort: the worker goes with terminate() below either way.
    }
    this.closed = true;
    this.requests.close();
    void this.worker.terminate();
  }

  private call(req: HttpRequest | { close: true }): HttpReply {
    const id = this.nextId++;
    this.requests.postMessage({ id, req });
    const deadline = Date.now() + this.timeoutMs + 1000;
    for (;;) {
      const got = receiveMessageOnPort(this.requests);
      if (got) {
        const reply = got.message as Reply;
        // An answer to a request that timed out earlier: dropped.
        if (reply.id !== id) continue;
        if (reply.ok) return reply.result;
        throw new Error(reply.error.message);
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`the API server did not answer within ${this.timeoutMs} ms`);
      const seen = Atomics.load(this.signal, 0);
      if (seen === id) continue;
      Atomics.wait(this.signal, 0, seen, left);
    }
  }
}
