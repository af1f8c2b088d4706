/**
 * The thread that talks to etcd (gRPC through the etcd3 package) for the synchronous store: the Store interface is
 * synchronous (store.ts), gRPC is not, so the main thread posts a request on a MessagePort and blocks on a shared
 * word (Atomics.wait) until this thread has the answer (etcd-sync.ts). The thread also holds the one watch stream on
 * `/registry/`: its batches are posted to the main thread as they arrive and kept, so that a write can first take
 * every change before its own revision (`catchUp`) and keep watchers in revision order.
 *
 * The code runs as an eval'd worker (`workerSource`): the daemon is bundled into one file, where a worker file of its
 * own would not be found. So `etcdWorkerMain` uses nothing from this module's scope, only what it is handed.
 */
import type { MessagePort } from "node:worker_threads";
import type { WorkerReply } from "./blocking-call.js";
import type * as Etcd3 from "etcd3";

/** A key-value as the main thread gets it (int64 revisions as numbers: they stay far below 2^53). */
export interface WireKv {
  key: string;
  value: Uint8Array;
  modRevision: number;
  createRevision: number;
}

export interface WireEvent {
  type: "PUT" | "DELETE";
  kv: WireKv;
  prev?: WireKv;
}

/** What the watch stream posts: a batch of changes, a progress notification, or the stream's end. */
export type WatchMessage =
  | { type: "events"; revision: number; events: WireEvent[] }
  | { type: "progress"; revision: number }
  | { type: "compacted"; compactRevision: number }
  | { type: "error"; message: string };

export type Compare = { key: string; modRevision: number };
export type Op = { put: { key: string; value: Uint8Array } } | { delete: { key: string } } | { get: { key: string } };

export type Request =
  | { op: "range"; key: string; rangeEnd?: string; limit?: number; revision?: number; countOnly?: boolean; keysOnly?: boolean }
  | { op: "txn"; compare: Compare[]; success: Op[]; failure: Op[] }
  | { op: "compact"; revision: number }
  | { op: "watch"; prefix: string; startRevision: number }
  | { op: "catchUp"; revision: number; after: number; timeoutMs: number }
  | { op: "close" };

export interface RangeResult {
  revision: number;
  kvs: WireKv[];
  more: boolean;
  count: number;
}

export interface TxnResult {
  revision: number;
  succeeded: boolean;
  /** Per op of the branch taken: the kvs of a get, the previous kv of a delete. */
  kvs: WireKv[][];
}

/** The batches after `after` up to the revision the stream has reached (at least the one asked for). */
export interface CatchUpResult {
  revision: number;
  batches: WatchMessage[];
}

export type Reply = WorkerReply<unknown>;

export interface WorkerInit {
  endpoints: string[];
  signal: Int32Array;
  requests: MessagePort;
  watch: MessagePort;
}

export interface WorkerDeps {
  etcd3: typeof Etcd3;
  init: WorkerInit;
}

/** The worker's body; see the module comment for why it stands alone. */
export function etcdWorkerMain(deps: WorkerDeps): void {
  const { etcd3, init } = deps;
  // gRPC's default 4 MiB cap on a received message would fail a whole-kind list past a few thousand objects
  // (10,000 ConfigMaps of 0.5 KB are 7 MB); etcd's Go client, which kube-apiserver uses, receives up to
  // math.MaxInt32 (clientv3 defaultMaxCallRecvMsgSize), and so do we.
  const client = new etcd3.Etcd3({ hosts: init.endpoints, dialTimeout: 5000, grpcOptions: { "grpc.max_receive_message_length": 2 ** 31 - 1 } });
  const toKv = (kv: Etcd3.IKeyValue): WireKv => ({
    key: kv.key.toString("utf8"),
    value: new Uint8Array(kv.value),
    modRevision: Number(kv.mod_revision),
    createRevision: Number(kv.create_revision),
  });
  const toOp = (op: Op): Etcd3.IRequestOp => {
    if ("put" in op) return { request_put: { key: Buffer.from(op.put.key), value: Buffer.from(op.put.value), prev_kv: true } };
    if ("delete" in op) return { request_delete_range: { key: Buffer.from(op.delete.key), prev_kv: true } };
    return { request_range: { key: Buffer.from(op.get.key) } };
  };

  // The watch stream: batches kept for catchUp (bounded), revision reached, waiters for a revision.
  const kept: WatchMessage[] = [];
  const KEEP = 10_000;
  let reached = 0;
  let stream: Etcd3.IDuplexStream<Etcd3.IWatchRequest, Etcd3.IWatchResponse> | undefined;
  let closed = false;
  const waiters = new Set<() => void>();
  const post = (m: WatchMessage) => {
    kept.push(m);
    if (kept.length > KEEP) kept.splice(0, kept.length - KEEP);
    init.watch.postMessage(m);
  };
  const advance = (rev: number) => {
    if (rev > reached) reached = rev;
    for (const w of [...waiters]) w();
  };
  const openWatch = async (prefix: string, startRevision: number): Promise<void> => {
    const key = Buffer.from(prefix);
    const end = Buffer.from(prefix);
    end[end.length - 1]++;
    const s = await client.watchClient.watch();
    stream = s;
    let next = startRevision;
    s.on("data", (res: Etcd3.IWatchResponse) => {
      if (res.canceled && Number(res.compact_revision) > 0) {
        post({ type: "compacted", compactRevision: Number(res.compact_revision) });
        return;
      }
      const rev = Number(res.header.revision);
      if (res.events.length > 0) {
        const events: WireEvent[] = res.events.map((e) => {
          const out: WireEvent = { type: e.type === "Delete" ? "DELETE" : "PUT", kv: toKv(e.kv) };
          if (e.prev_kv) out.prev = toKv(e.prev_kv);
          return out;
        });
        // A batch's header can name a revision beyond its events while a lagging watcher catches up (etcd sends
        // history 1,000 revisions at a time): only the events themselves say how far the stream has got.
        const last = events[events.length - 1].kv.modRevision;
        next = last + 1;
        post({ type: "events", revision: last, events });
        advance(last);
      } else if (!res.created) {
        // etcd sends progress only to a watcher that has caught up: everything up to the header came before it.
        post({ type: "progress", revision: rev });
        advance(rev);
      }
    });
    const reopen = (why: string) => {
      if (closed || stream !== s) return;
      stream = undefined;
      init.watch.postMessage({ type: "error", message: why } satisfies WatchMessage);
      setTimeout(() => void openWatch(prefix, next).catch((err: Error) => reopen(err.message)), 500);
    };
    s.on("error", (err: Error) => reopen(err.message));
    s.on("end", () => reopen("watch stream ended"));
    s.write({ create_request: { key, range_end: end, start_revision: startRevision, prev_kv: true, progress_notify: true } });
  };

  const catchUp = (revision: number, after: number, timeoutMs: number): Promise<CatchUpResult> =>
    new Promise((resolve, reject) => {
      const done = () => {
        if (reached < revision) return false;
        waiters.delete(check);
        clearInterval(ask);
        clearTimeout(timer);
        resolve({ revision: reached, batches: kept.filter((m) => m.type !== "events" || m.revision > after) });
        return true;
      };
      const check = () => void done();
      // etcd answers a progress request only once every watcher of the stream has caught up: ask until it has.
      const ask = setInterval(() => stream?.write({ progress_request: {} }), 20);
      const timer = setTimeout(() => {
        waiters.delete(check);
        clearInterval(ask);
        reject(new Error(`the watch stream did not reach revision ${revision} within ${timeoutMs} ms`));
      }, timeoutMs);
      if (done()) return;
      waiters.add(check);
      stream?.write({ progress_request: {} });
    });

  const run = async (req: Request): Promise<unknown> => {
    switch (req.op) {
      case "range": {
        const r: Etcd3.IRangeRequest = { key: Buffer.from(req.key) };
        if (req.rangeEnd !== undefined) r.range_end = Buffer.from(req.rangeEnd);
        if (req.limit) r.limit = req.limit;
        if (req.revision) r.revision = req.revision;
        if (req.countOnly) r.count_only = true;
        if (req.keysOnly) r.keys_only = true;
        const res = await client.kv.range(r);
        return { revision: Number(res.header.revision), kvs: res.kvs.map(toKv), more: res.more, count: Number(res.count) } satisfies RangeResult;
      }
      case "txn": {
        const res = await client.kv.txn({
          compare: req.compare.map((c) => ({ key: Buffer.from(c.key), target: "Mod", result: "Equal", mod_revision: c.modRevision })),
          success: req.success.map(toOp),
          failure: req.failure.map(toOp),
        });
        const kvs = res.responses.map((r) => {
          if (r.response_range) return r.response_range.kvs.map(toKv);
          if (r.response_delete_range) return r.response_delete_range.prev_kvs.map(toKv);
          if (r.response_put?.prev_kv) return [toKv(r.response_put.prev_kv)];
          return [];
        });
        return { revision: Number(res.header.revision), succeeded: res.succeeded, kvs } satisfies TxnResult;
      }
      case "compact":
        await client.kv.compact({ revision: req.revision, physical: false });
        return null;
      case "watch":
        await openWatch(req.prefix, req.startRevision);
        return null;
      case "catchUp":
        return catchUp(req.revision, req.after, req.timeoutMs);
      case "close":
        closed = true;
        stream?.end();
        client.close();
        return null;
    }
  };

  Atomics.store(init.signal, 1, 1);
  Atomics.notify(init.signal, 1);
  init.requests.on("message", (msg: { id: number; req: Request }) => {
    const answer = (reply: Reply) => {
      init.requests.postMessage(reply);
      Atomics.store(init.signal, 0, msg.id);
      Atomics.notify(init.signal, 0);
    };
    run(msg.req).then(
      (result) => answer({ id: msg.id, ok: true, result }),
      (err: Error & { code?: number }) => answer({ id: msg.id, ok: false, error: { message: err.message, code: typeof err.code === "number" ? err.code : undefined } }),
    );
  });
}

/** The worker's source: the etcd3 package from the path the main thread resolved, then the body above. */
export function workerSource(): string {
  return [
    `const { workerData } = require("node:worker_threads");`,
    `const etcd3 = require(workerData.etcd3Path);`,
    `(${etcdWorkerMain.toString()})({ etcd3, init: workerData.init });`,
  ].join("\n");
}
