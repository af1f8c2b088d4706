/**
 * The calling side of a store backend whose client runs on a worker thread (etcd-sync.ts, remote-sync.ts): the
 * Store interface is synchronous, so a call posts its request and blocks on a shared word until the worker stores
 * that request's id there, then takes the reply from the port. A reply to a call that timed out earlier is dropped.
 */
import { receiveMessageOnPort, type MessagePort } from "node:worker_threads";

export type WorkerReply<T> = { id: number; ok: true; result: T } | { id: number; ok: false; error: { message: string; code?: number } };

export interface BlockingCall {
  port: MessagePort;
  /** [0]: the id of the last answer (the worker stores it and notifies). */
  signal: Int32Array;
  id: number;
  timeoutMs: number;
  /** The error a failed reply becomes. */
  failed: (message: string, code?: number) => Error;
  /** The error when no reply came in time. */
  timedOut: () => Error;
}

/** Posts `req` as call `c.id` and returns its result, or throws what the worker or the deadline says. */
export function callBlocking<T>(c: BlockingCall, req: unknown): T {
  c.port.postMessage({ id: c.id, req });
  const deadline = Date.now() + c.timeoutMs;
  for (;;) {
    const got = receiveMessageOnPort(c.port);
    if (got) {
      const reply = got.message as WorkerReply<T>;
      if (reply.id !== c.id) continue;
      if (reply.ok) return reply.result;
      throw c.failed(reply.error.message, reply.error.code);
    }
    const left = deadline - Date.now();
    if (left <= 0) throw c.timedOut();
    // Wakes when the worker stores an id (any id: the loop above checks which).
    const seen = Atomics.load(c.signal, 0);
    if (seen === c.id) continue;
    Atomics.wait(c.signal, 0, seen, left);
  }
}
