/**
 * Persistent storage costs, measured (needs root):
 *
 * - provisioning + mount of one volume by the local provisioner (truncate, mkfs.ext4, mount -o loop), and its
 *   deletion (umount, which detaches the loop device, and rm): p50/p99 over --volumes (50);
 * - the persistentVolumeClaim plugin's setup of a mounted volume (what a claim adds to a pod's start), p50/p99;
 * - pod start with no volume, an emptyDir, a bound PersistentVolumeClaim, a claim provisioned on first use, a
 *   configMap and a secret volume, on a real daemon: from the API create to the container running (the runtime's
 *   record of its start), median over --pods (15) of each, what each volume adds as the median paired difference
 *   to the pod without volume, and the ratio; goal: a claim adds under 15 ms.
 *
 * Run: node dist/bench/storage-bench.js [--volumes N] [--pods N]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resourceForKind } from "../src/api/resources.js";
import type { PersistentVolumeClaim, Pod } from "../src/api/types.js";
import { ANN_PROVISIONED_BY } from "../src/api/storage-annotations.js";
import { HostPathPlugin } from "../src/storage/host-path.js";
import { LocalProvisioner } from "../src/storage/local-provisioner.js";
import { PersistentVolumeClaimPlugin } from "../src/storage/persistent-volume-claim.js";
import { HostRunner } from "../src/sys/runner.js";
import { eventually, TestDaemon } from "../test/helpers/daemon.js";
import { percentile, printTable } from "./lib.js";

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const VOLUMES = arg("volumes", 50);
const PODS = arg("pods", 15);
const MiB = 1024 * 1024;
const fmt = (xs: number[]) => `p50 ${percentile(xs, 50).toFixed(1)} ms, p99 ${percentile(xs, 99).toFixed(1)} ms (n=${xs.length})`;

async function provisioning(): Promise<string[][]> {
  const root = mkdtempSync(join(tmpdir(), "nodelet-storage-bench-"));
  const prov = new LocalProvisioner(join(root, "volumes"), new HostRunner());
  const make: number[] = [];
  const remove: number[] = [];
  const setup: number[] = [];
  try {
    for (let i = 0; i < VOLUMES; i++) {
      const t0 = performance.now();
      await prov.provision(`pvc-bench-${i}`, 64 * MiB, "Filesystem");
      make.push(performance.now() - t0);
    }
    // What a claim adds to a pod's start once its volume exists: the plugin's setup (claim and volume looked up,
    // the mount checked), timed alone since whole pod starts on a loaded machine vary by more than it costs.
    const plugin = new PersistentVolumeClaimPlugin(
      {
        claim: (ns, name) => ({ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name, namespace: ns, uid: `u-${name}` }, spec: { volumeName: `pvc-bench-${name}` }, status: { phase: "Bound" } }),
        volume: (name) => ({ apiVersion: "v1", kind: "PersistentVolume", metadata: { name, annotations: { [ANN_PROVISIONED_BY]: prov.name } }, spec: { claimRef: { uid: `u-${name.slice("pvc-bench-".length)}` } } }),
        // Bound from the start: nothing is waited for.
        watch: () => () => undefined,
      },
      prov,
      new HostPathPlugin(new HostRunner()),
    );
    for (let i = 0; i < VOLUMES; i++) {
      const p = { metadata: { name: "p", namespace: "default", uid: "u" }, spec: { containers: [] } } as unknown as Pod;
      const t0 = performance.now();
      await plugin.setup(p, { name: "data", persistentVolumeClaim: { claimName: String(i) } });
      setup.push(performance.now() - t0);
    }
    for (let i = 0; i < VOLUMES; i++) {
      const t0 = performance.now();
      await prov.delete(`pvc-bench-${i}`);
      remove.push(performance.now() - t0);
    }
  } finally {
    await prov.removeAll(() => undefined);
    rmSync(root, { recursive: true, force: true });
  }
  return [
    ["provision + mount a 64 Mi volume", fmt(make)],
    ["claim volume setup for a pod (volume mounted)", fmt(setup)],
    ["delete it (umount, loop detach, rm)", fmt(remove)],
  ];
}

const PODS_INFO = resourceForKind("Pod")!;
const CLAIMS_INFO = resourceForKind("PersistentVolumeClaim")!;

/** A pod whose one container mounts `volume` at /data (none: no volume at all). */
function pod(name: string, volume?: Record<string, unknown>): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default" },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [
        {
          name: "c",
          image: "busybox",
          command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"],
          volumeMounts: volume ? [{ name: "data", mountPath: "/data" }] : undefined,
        },
      ],
      volumes: volume ? [{ name: "data", ...volume }] : undefined,
    },
  };
}

/** ms from the create call to the container's recorded start; the pod is then deleted and awaited gone. */
async function startTime(d: TestDaemon, p: Pod): Promise<number> {
  const t0 = Date.now();
  const made = await d.client.create(PODS_INFO, p);
  const uid = made.metadata.uid!;
  const started = await eventually(async () => {
    try {
      return d.containerRecords(uid).find((r) => r.state === "running" && r.startedAt)?.startedAt;
    } catch {
      return undefined;
    }
  }, 60_000, `${p.metadata.name} running`);
  // Each start sees the same node: the pod goes before the next one is made.
  await d.client.delete(PODS_INFO, "default", p.metadata.name!);
  await eventually(async () => !(await d.client.list<Pod>(PODS_INFO, { namespace: "default" })).items.some((x) => x.metadata.uid === uid), 60_000, `${p.metadata.name} gone`);
  return Date.parse(started) - t0;
}

/** The pod starts the issue compares, one of each per round. */
type Kind = "none" | "emptyDir" | "claim" | "firstUse" | "configMap" | "secret";
const KINDS: { kind: Kind; label: string }[] = [
  { kind: "none", label: "no volume" },
  { kind: "emptyDir", label: "emptyDir" },
  { kind: "claim", label: "bound claim (PVC, 64 Mi loop volume)" },
  { kind: "firstUse", label: "claim provisioned on first use" },
  { kind: "configMap", label: "configMap volume" },
  { kind: "secret", label: "secret volume (its own tmpfs)" },
];

/** The volume of a kind's pod in round i, made beforehand where it needs objects (claims bound before the clock starts). */
async function volumeFor(d: TestDaemon, kind: Kind, i: number): Promise<Record<string, unknown> | undefined> {
  const claim = (name: string, storageClassName: string): PersistentVolumeClaim => ({
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name, namespace: "default" },
    spec: { accessModes: ["ReadWriteOnce"], storageClassName, resources: { requests: { storage: "64Mi" } } },
  });
  switch (kind) {
    case "none":
      return undefined;
    case "emptyDir":
      return { emptyDir: {} };
    case "claim":
      // Immediate class: bound (provisioned and mounted) before the pod is made, so only the claim's use is timed.
      await d.client.create(CLAIMS_INFO, claim(`bound-${i}`, "now"));
      await eventually(async () => (await d.client.get<PersistentVolumeClaim>(CLAIMS_INFO, "default", `bound-${i}`)).status?.phase === "Bound", 30_000, "claim bound");
      return { persistentVolumeClaim: { claimName: `bound-${i}` } };
    case "firstUse":
      // WaitForFirstConsumer with the default class: the volume is made while the pod waits for it.
      await d.client.create(CLAIMS_INFO, claim(`wffc-${i}`, "local"));
      return { persistentVolumeClaim: { claimName: `wffc-${i}` } };
    case "configMap":
      return { configMap: { name: "bench-config" } };
    case "secret":
      return { secret: { secretName: "bench-secret" } };
  }
}

/**
 * Pod start by volume kind on a real daemon, one pod of each kind per round in a rotating order (so the machine's
 * load drifts over all kinds alike), each pod deleted before the next. What a volume adds is the median of the
 * per-round differences to the pod without volume (a paired difference: it cancels the load of the moment, which
 * on a shared machine moves whole pod starts by more than a volume costs), and the ratio of the medians.
 */
async function podStarts(): Promise<string[][]> {
  const d = new TestDaemon("storage-bench");
  await d.start();
  try {
    await d.cli(["apply", "-f", "-"], "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: now\nprovisioner: nodelet.io/local\nvolumeBindingMode: Immediate\n");
    await d.cli(["apply", "-f", "-"], "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bench-config\ndata:\n  a: one\n  b: two\n");
    await d.cli(["apply", "-f", "-"], "apiVersion: v1\nkind: Secret\nmetadata:\n  name: bench-secret\nstringData:\n  password: hunter2\n");
    // A first pod warms the image and the node (its start is not counted).
    await startTime(d, pod("warm"));
    const times = new Map<Kind, number[]>(KINDS.map((k) => [k.kind, []]));
    for (let i = 0; i < PODS; i++) {
      for (let j = 0; j < KINDS.length; j++) {
        const { kind } = KINDS[(i + j) % KINDS.length];
        const volume = await volumeFor(d, kind, i);
        times.get(kind)!.push(await startTime(d, pod(`${kind.toLowerCase()}-${i}`, volume)));
      }
    }
    const base = times.get("none")!;
    const baseMedian = percentile(base, 50);
    return KINDS.map(({ kind, label }) => {
      const xs = times.get(kind)!;
      const median = percentile(xs, 50);
      const added = kind === "none" ? "" : `, adds ${percentile(xs.map((x, i) => x - base[i]), 50).toFixed(0)} ms (paired median), x${(median / baseMedian).toFixed(2)}`;
      const goal = kind === "claim" ? "; goal: a claim adds < 15 ms" : "";
      return [`pod start, ${label}`, `median ${median} ms, p90 ${percentile(xs, 90)} ms${added}${goal}`];
    });
  } finally {
    await d.cleanup();
  }
}

const rows = [...(await provisioning()), ...(await podStarts())];
console.log(`\nstorage (${VOLUMES} volumes, ${PODS} pods of each kind)`);
printTable(["what", "time"], rows);
