/**
 * Synchronous HTTPS calls for the remote store (whose calls are synchronous, store.ts): each request goes to the
 * remote worker (remote-worker.ts) on a MessagePort and the calling thread blocks on a shared word until the worker
 * stores the request's id there, as etcd-sync.ts does for etcd. A call blocks the event loop for one round trip to
 * the control plane; a request that takes longer than the timeout fails and its late answer is dropped.
 */
import { MessageChannel, Worker, type MessagePort } from "node:worker_threads";
import { callBlocking } from "./blocking-call.js";
import { remoteWorkerSource, type HttpReply, type HttpRequest, type RemoteEndpoint } from "./remote-worker.js";

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

  /** The worker's connections present this client certificate from now on (a rotation); the open ones are closed. */
  useClientCertificate(cert: string, key: string): void {
    if (this.closed) throw new Error("the API client is closed");
    this.call({ clientCertificate: { cert, key } });
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

  private call(req: HttpRequest | { close: true } | { clientCertificate: { cert: string; key: string } }): HttpReply {
    return callBlocking<HttpReply>({
      port: this.requests,
      signal: this.signal,
      id: this.nextId++,
      timeoutMs: this.timeoutMs + 1000,
      failed: (message) => new Error(message),
      timedOut: () => new Error(`the API server did not answer within ${this.timeoutMs} ms`),
    }, req);
  }
}
