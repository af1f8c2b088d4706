/**
 * A server on a temporary unix socket with an in-memory store and a fake PodIO, for HTTP-level tests. close()
 * stops the server and removes the directory; register it with after()/t.after() so it runs even on failure.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApiServer } from "../../../src/apiserver/index.js";
import { ApiClient } from "../../../src/client/index.js";
import { openStore } from "../../../src/store/sqlite-store.js";
import { FakePodIO } from "../../helpers/fake-pod-io.js";
export async function startTestServer(opts = {}) {
    const dir = mkdtempSync(join(tmpdir(), "nodelet-api-"));
    const socketPath = join(dir, "run", "api.sock");
    const store = openStore(":memory:", opts.storeOptions);
    const io = opts.io ?? new FakePodIO(opts.fake);
    const { fake: _f, storeOptions: _s, io: _i, ...serverOpts } = opts;
    const server = createApiServer({ nodeName: "node1", socketPath, ...serverOpts, store, podIO: io });
    try {
        await server.start();
    }
    catch (err) {
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
export function testPod(name, opts = {}) {
    return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name, namespace: opts.ns ?? "default", labels: opts.labels },
        spec: { nodeName: "node1", containers: (opts.containers ?? ["c"]).map((n) => ({ name: n, image: "busybox" })) },
        status: opts.phase ? { phase: opts.phase } : undefined,
    };
}
/** Creates a pod in the store directly and sets its status phase (what the kubelet would do). */
export function storePod(store, pod) {
    const created = store.create({ ...pod, status: undefined });
    return pod.status ? store.update({ ...created, status: pod.status }, { subresource: "status" }) : created;
}
//# sourceMappingURL=harness.js.map