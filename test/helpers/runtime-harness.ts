/**
 * A real Linux pod runtime in a throwaway state dir, with its own cgroup parent, for privileged tests. Everything
 * it creates is removed by cleanup(), even when the test failed.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Container, Pod } from "../../src/api/types.js";
import { LoopbackOnlyNetwork, type PodNetwork } from "../../src/network/pod-network.js";
import { FileRecorder } from "../../src/runtime/explain.js";
import type { Layout } from "../../src/runtime/layout.js";
import type { ImageStore } from "../../src/runtime/images.js";
import type { LinuxPodRuntime } from "../../src/runtime/linux-runtime.js";
import { createNodeRuntime } from "../../src/runtime/node-runtime.js";
import type { ContainerRecord, SandboxRecord } from "../../src/runtime/pod-runtime.js";
import { containerSpecHash } from "../../src/kubelet/container-hash.js";
import { podCgroupPath } from "../../src/kubelet/pod-cgroup.js";
import { readContainerLog } from "../../src/runtime/cri-log.js";
import type { CgroupManager } from "../../src/sys/cgroups/types.js";
import type { Runner } from "../../src/sys/runner.js";
import { Spawner } from "../../src/sys/spawner.js";
import { waitFor } from "./wait.js";

/** The shim binary: build/nodelet-shim in the project, or $NODELET_SHIM. */
export function shimPath(): string {
  return process.env.NODELET_SHIM ?? fileURLToPath(new URL("../../../build/nodelet-shim", import.meta.url));
}

export interface RuntimeHarness {
  root: string;
  /** The cgroup parent of this runtime (under the test's own cgroup). */
  cgroupParent: string;
  layout: Layout;
  runner: Runner;
  cgroups: CgroupManager;
  images: ImageStore;
  runtime: LinuxPodRuntime;
  cleanup(): Promise<void>;
}

let counter = 0;

export async function makeRuntime(
  opts: { network?: PodNetwork; name?: string; podPidsLimit?: number; /** another shim binary */ shim?: string; /** false: every command through Node's spawn */ spawner?: boolean; warmSandboxes?: number; /** false: monitors exec'd, no zygote */ zygote?: boolean | { restartDelayMs: number }; /** what the runtime reports (warm sandboxes removed, leftovers) */ report?: (msg: string) => void } = {},
): Promise<RuntimeHarness> {
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
    warmSandboxes: opts.warmSandboxes,
    monitorZygote: opts.zygote ?? true,
    report: opts.report,
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
    cgroupParent: parent,
    layout,
    runner,
    cgroups,
    images,
    runtime,
    async cleanup() {
      for (const s of runtime.sandboxes()) await runtime.removeSandbox(s.podUid).catch(() => undefined);
      await runtime.stop();
      await cgroups.remove("").catch(() => undefined);
      spawner.stop();
      if (existsSync(root)) rmSync(root, { recursive: true, force: true });
    },
  };
}

let podCounter = 0;

/** A minimal pod object for runtime-level tests (no API server involved). */
export function testPod(containers: Partial<Container>[], spec: Partial<Pod["spec"]> = {}, name?: string): Pod {
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
export function runSandbox(h: Pick<RuntimeHarness, "runtime">, pod: Pod): Promise<SandboxRecord> {
  return h.runtime.runSandbox(pod, { cgroupPath: podCgroupPath(pod) });
}

/** Starts a pod's sandbox and all its containers; returns the container records. */
export async function startPod(h: Pick<RuntimeHarness, "runtime">, pod: Pod): Promise<ContainerRecord[]> {
  await runSandbox(h, pod);
  const out: ContainerRecord[] = [];
  for (const c of pod.spec.containers) {
    out.push(await h.runtime.startContainer(pod, c, { attempt: 0, init: false, env: { configMaps: {}, secrets: {}, hostname: "" }, specHash: containerSpecHash(c) }));
  }
  return out;
}

/** Waits until the container has exited (its exit record arrived). */
export async function waitExited(h: Pick<RuntimeHarness, "runtime">, id: string, timeoutMs = 10_000): Promise<ContainerRecord> {
  let c: ContainerRecord | undefined;
  await waitFor(`container ${id} to exit`, () => (c = h.runtime.container(id))?.state === "exited", timeoutMs).catch((err: Error) => {
    throw new Error(`${err.message} (state ${c?.state})`);
  });
  return c!;
}

/** Everything the container wrote (stdout and stderr, in order), read from its CRI log. */
export async function containerOutput(h: Pick<RuntimeHarness, "runtime">, id: string): Promise<string> {
  const c = h.runtime.container(id);
  if (!c) throw new Error(`no container ${id}`);
  const chunks: Buffer[] = [];
  for await (const b of readContainerLog(c.logPath)) chunks.push(b as Buffer);
  return Buffer.concat(chunks).toString();
}

/**
 * Runs a pod until its first container exits: starts it, waits for the exit, reads the output. The sandbox is
 * removed afterwards, also when something failed, unless `keep`; `onStarted` sees the records before the wait.
 */
export async function runToExit(
  h: Pick<RuntimeHarness, "runtime">,
  pod: Pod,
  opts: { timeoutMs?: number; keep?: boolean; onStarted?: (records: ContainerRecord[]) => void } = {},
): Promise<{ record: ContainerRecord; out: string }> {
  try {
    const records = await startPod(h, pod);
    opts.onStarted?.(records);
    const record = await waitExited(h, records[0].id, opts.timeoutMs ?? 30_000);
    return { record, out: await containerOutput(h, record.id) };
  } finally {
    if (!opts.keep) await h.runtime.removeSandbox(pod.metadata.uid!);
  }
}
