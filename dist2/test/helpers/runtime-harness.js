/**
 * A real Linux pod runtime in a throwaway state dir, with its own cgroup parent, for privileged tests. Everything
 * it creates is removed by cleanup(), even when the test failed.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { LoopbackOnlyNetwork } from "../../src/network/pod-network.js";
import { FileRecorder } from "../../src/runtime/explain.js";
import { createNodeRuntime } from "../../src/runtime/node-runtime.js";
import { containerSpecHash } from "../../src/kubelet/container-hash.js";
import { podCgroupPath } from "../../src/kubelet/pod-cgroup.js";
import { Spawner } from "../../src/sys/spawner.js";
/** The shim binary: build/nodelet-shim in the project, or $NODELET_SHIM. */
export function shimPath() {
    return process.env.NODELET_SHIM ?? fileURLToPath(new URL("../../../build/nodelet-shim", import.meta.url));
}
let counter = 0;
export async function makeRuntime(opts = {}) {
    const shim = opts.shim ?? shimPath();
    const root = mkdtempSync(join(tmpdir(), "nodelet-rt-"));
    const parent = `nodelet-test-${process.pid}-${opts.name ?? ""}${counter++}`;
    const { layout, runner, cgroups, images, runtime } = createNodeRuntime({
        root,
        logDir: join(root, "log"),
        shimPath: shim,
        cgroupParent: parent,
        network: () => opts.network ?? new LoopbackOnlyNetwork(),
        dns: { clusterDNS: [], clusterDomain: "cluster.local", hostResolvConf: "nameserver 127.0.0.53\n" },
        podPidsLimit: opts.podPidsLimit ?? 4096,
        log: { maxSize: 10 * 1024 * 1024, maxFiles: 5 },
        recorder: (l) => new FileRecorder((owner) => (owner === "node" ? undefined : l.podExplainFile(owner))),
    });
    const spawner = new Spawner(shim);
    if (opts.spawner !== false) {
        spawner.start();
        runner.useSpawner(spawner);
    }
    await images.ensureBusybox();
    await runtime.start();
    return {
        root,
        layout,
        runner,
        cgroups,
        images,
        runtime,
        async cleanup() {
            for (const s of runtime.sandboxes())
                await runtime.removeSandbox(s.podUid).catch(() => undefined);
            await runtime.stop();
            await cgroups.remove("").catch(() => undefined);
            spawner.stop();
            if (existsSync(root))
                rmSync(root, { recursive: true, force: true });
        },
    };
}
let podCounter = 0;
/** A minimal pod object for runtime-level tests (no API server involved). */
export function testPod(containers, spec = {}, name) {
    const n = name ?? `pod-${process.pid}-${podCounter++}`;
    return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: n, namespace: "default", uid: randomUUID() },
        spec: {
            restartPolicy: "Never",
            terminationGracePeriodSeconds: 1,
            ...spec,
            containers: containers.map((c, i) => ({ name: c.name ?? `c${i}`, image: "busybox", ...c })),
        },
    };
}
/** Starts the pod's sandbox with its cgroup where the kubelet puts it. */
export function runSandbox(h, pod) {
    return h.runtime.runSandbox(pod, { cgroupPath: podCgroupPath(pod) });
}
/** Starts a pod's sandbox and all its containers; returns the container records. */
export async function startPod(h, pod) {
    await runSandbox(h, pod);
    const out = [];
    for (const c of pod.spec.containers) {
        out.push(await h.runtime.startContainer(pod, c, { attempt: 0, init: false, env: { configMaps: {}, secrets: {}, hostname: "" }, specHash: containerSpecHash(c) }));
    }
    return out;
}
/** Waits until the container has exited (its exit record arrived). */
export async function waitExited(h, id, timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const c = h.runtime.container(id);
        if (c?.state === "exited")
            return c;
        if (Date.now() > deadline)
            throw new Error(`container ${id} did not exit within ${timeoutMs} ms (state ${c?.state})`);
        await new Promise((r) => setTimeout(r, 10));
    }
}
//# sourceMappingURL=runtime-harness.js.map