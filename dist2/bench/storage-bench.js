/**
 * Persistent storage costs, measured (needs root):
 *
 * - provisioning + mount of one volume by the local provisioner (truncate, mkfs.ext4, mount -o loop), and its
 *   deletion (umount, which detaches the loop device, and rm): p50/p99 over --volumes (50);
 * - the persistentVolumeClaim plugin's setup of a mounted volume (what a claim adds to a pod's start), p50/p99;
 * - pod start with a bound PersistentVolumeClaim vs with an emptyDir, on a real daemon: from the API create to the
 *   container running (the runtime's record of its start), median over --pods (15) of each; goal: the claim adds
 *   under 15 ms.
 *
 * Run: node dist/bench/storage-bench.js [--volumes N] [--pods N]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resourceForKind } from "../src/api/resources.js";
import { ANN_PROVISIONED_BY } from "../src/api/storage-annotations.js";
import { HostPathPlugin } from "../src/storage/host-path.js";
import { LocalProvisioner } from "../src/storage/local-provisioner.js";
import { PersistentVolumeClaimPlugin } from "../src/storage/persistent-volume-claim.js";
import { HostRunner } from "../src/sys/runner.js";
import { eventually, TestDaemon } from "../test/helpers/daemon.js";
import { percentile, printTable } from "./lib.js";
const arg = (name, dflt) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const VOLUMES = arg("volumes", 50);
const PODS = arg("pods", 15);
const MiB = 1024 * 1024;
const fmt = (xs) => `p50 ${percentile(xs, 50).toFixed(1)} ms, p99 ${percentile(xs, 99).toFixed(1)} ms (n=${xs.length})`;
async function provisioning() {
    const root = mkdtempSync(join(tmpdir(), "nodelet-storage-bench-"));
    const prov = new LocalProvisioner(join(root, "volumes"), new HostRunner());
    const make = [];
    const remove = [];
    const setup = [];
    try {
        for (let i = 0; i < VOLUMES; i++) {
            const t0 = performance.now();
            await prov.provision(`pvc-bench-${i}`, 64 * MiB, "Filesystem");
            make.push(performance.now() - t0);
        }
        // What a claim adds to a pod's start once its volume exists: the plugin's setup (claim and volume looked up,
        // the mount checked), timed alone since whole pod starts on a loaded machine vary by more than it costs.
        const plugin = new PersistentVolumeClaimPlugin({
            claim: (ns, name) => ({ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name, namespace: ns, uid: `u-${name}` }, spec: { volumeName: `pvc-bench-${name}` }, status: { phase: "Bound" } }),
            volume: (name) => ({ apiVersion: "v1", kind: "PersistentVolume", metadata: { name, annotations: { [ANN_PROVISIONED_BY]: prov.name } }, spec: { claimRef: { uid: `u-${name.slice("pvc-bench-".length)}` } } }),
        }, prov, new HostPathPlugin(new HostRunner()));
        for (let i = 0; i < VOLUMES; i++) {
            const p = { metadata: { name: "p", namespace: "default", uid: "u" }, spec: { containers: [] } };
            const t0 = performance.now();
            await plugin.setup(p, { name: "data", persistentVolumeClaim: { claimName: String(i) } });
            setup.push(performance.now() - t0);
        }
        for (let i = 0; i < VOLUMES; i++) {
            const t0 = performance.now();
            await prov.delete(`pvc-bench-${i}`);
            remove.push(performance.now() - t0);
        }
    }
    finally {
        await prov.removeAll(() => undefined);
        rmSync(root, { recursive: true, force: true });
    }
    return [
        ["provision + mount a 64 Mi volume", fmt(make)],
        ["claim volume setup for a pod (volume mounted)", fmt(setup)],
        ["delete it (umount, loop detach, rm)", fmt(remove)],
    ];
}
const PODS_INFO = resourceForKind("Pod");
const CLAIMS_INFO = resourceForKind("PersistentVolumeClaim");
function pod(name, volume) {
    return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name, namespace: "default" },
        spec: {
            terminationGracePeriodSeconds: 1,
            containers: [{ name: "c", image: "busybox", command: ["sleep", "3600"], volumeMounts: [{ name: "data", mountPath: "/data" }] }],
            volumes: [{ name: "data", ...volume }],
        },
    };
}
/** ms from the create call to the container's recorded start. */
async function startTime(d, p) {
    const t0 = Date.now();
    const made = await d.client.create(PODS_INFO, p);
    const uid = made.metadata.uid;
    const started = await eventually(async () => {
        try {
            return d.containerRecords(uid).find((r) => r.state === "running" && r.startedAt)?.startedAt;
        }
        catch {
            return undefined;
        }
    }, 60_000, `${p.metadata.name} running`);
    return Date.parse(started) - t0;
}
async function podStarts() {
    const d = new TestDaemon("storage-bench");
    await d.start();
    try {
        await d.cli(["apply", "-f", "-"], "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: now\nprovisioner: nodelet.io/local\nvolumeBindingMode: Immediate\n");
        const empty = [];
        const claim = [];
        const firstUse = [];
        for (let i = 0; i < PODS; i++) {
            empty.push(await startTime(d, pod(`empty-${i}`, { emptyDir: {} })));
            // A claim bound beforehand (Immediate class): what the claim itself adds to the pod's start.
            const c = {
                apiVersion: "v1",
                kind: "PersistentVolumeClaim",
                metadata: { name: `bound-${i}`, namespace: "default" },
                spec: { accessModes: ["ReadWriteOnce"], storageClassName: "now", resources: { requests: { storage: "64Mi" } } },
            };
            await d.client.create(CLAIMS_INFO, c);
            await eventually(async () => (await d.client.get(CLAIMS_INFO, "default", `bound-${i}`)).status?.phase === "Bound", 30_000, "claim bound");
            claim.push(await startTime(d, pod(`claim-${i}`, { persistentVolumeClaim: { claimName: `bound-${i}` } })));
            // WaitForFirstConsumer with the default class: the volume is made while the pod waits for it.
            await d.client.create(CLAIMS_INFO, { ...c, metadata: { name: `wffc-${i}`, namespace: "default" }, spec: { ...c.spec, storageClassName: "local" } });
            firstUse.push(await startTime(d, pod(`wffc-${i}`, { persistentVolumeClaim: { claimName: `wffc-${i}` } })));
        }
        const added = percentile(claim, 50) - percentile(empty, 50);
        return [
            ["pod start, emptyDir", `median ${percentile(empty, 50)} ms, p90 ${percentile(empty, 90)} ms`],
            ["pod start, bound claim", `median ${percentile(claim, 50)} ms, p90 ${percentile(claim, 90)} ms (adds ${added} ms at the median; goal < 15 ms)`],
            ["pod start, claim provisioned on first use", `median ${percentile(firstUse, 50)} ms, p90 ${percentile(firstUse, 90)} ms`],
        ];
    }
    finally {
        await d.cleanup();
    }
}
const rows = [...(await provisioning()), ...(await podStarts())];
console.log(`\nstorage (${VOLUMES} volumes, ${PODS} pods of each kind)`);
printTable(["what", "time"], rows);
//# sourceMappingURL=storage-bench.js.map