/**
 * A server on a temporary unix socket with an in-memory store and a fake PodIO, for HTTP-level tests. close()
 * stops the server and removes the directory; register it with after()/t.after() so it runs even on failure.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Pod, PodPhase } from "../../../src/api/types.js";
import { createApiServer, type ApiServer, type ApiServerOptions } from "../../../src/apiserver/index.js";
import { ApiClient } from "../../../src/client/index.js";
import { openStore, type StoreOptions } from "../../../src/store/sqlite-store.js";
import type { Store } from "../../../src/store/store.js";
import { FakePodIO, type FakePodIOOptions } from "../../helpers/fake-pod-io.js";

export interface TestServer {
  dir: string;
  socketPath: string;
  store: Store & { readonly watcherCount: number };
  io: FakePodIO;
  server: ApiServer;
  client: ApiClient;
  close(): Promise<void>;
}

export interface TestServerOptions extends Partial<Omit<ApiServerOptions, "store" | "podIO">> {
  fake?: FakePodIOOptions;
  storeOptions?: StoreOptions;
  /** A FakePodIO (or a subclass) to serve instead of one made from `fake`. */
  io?: FakePodIO;
}

export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), "nodelet-api-"));
  const socketPath = join(dir, "run", "api.sock");
  const store = openStore(":memory:", opts.storeOptions);
  const io = opts.io ?? new FakePodIO(opts.fake);
  const { fake: _f, storeOptions: _s, io: _i, ...serverOpts } = opts;
  const server = createApiServer({ nodeName: "node1", socketPath, ...serverOpts, store, podIO: io });
  try {
    await server.start();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const client = new ApiClient({ socketPath });
  return {
    dir,
    socketPath,
    store,
    io,
    server,
    client,
    async close() {
      client.close();
      await server.close();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A pod bound to node1, optionally with a phase and more containers. */
export function testPod(name: string, opts: { labels?: Record<string, string>; phase?: PodPhase; containers?: string[]; ns?: string } = {}): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: opts.ns ?? "default", labels: opts.labels },
    spec: { nodeName: "node1", containers: (opts.containers ?? ["c"]).map((n) => ({ name: n, image: "busybox" })) },
    status: opts.phase ? { phase: opts.phase } : undefined,
  };
}

/** Creates a pod in the store directly and sets its status phase (what the kubelet would do). */
export function storePod(store: Store, pod: Pod): Pod {
  const created = store.create({ ...pod, status: undefined });
  return pod.status ? store.update({ ...created, status: pod.status }, { subresource: "status" }) : created;
}
