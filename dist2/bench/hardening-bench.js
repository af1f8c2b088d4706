/**
 * `make bench`, hardening part (issue 9): what each container-hardening layer adds to pod start, at the runtime level
 * (sandbox + container until its command runs, as the kubelet drives it; no API or CLI in it). Five runtimes side by
 * side, the same busybox `sleep` pod started N times in each, the configurations interleaved so the machine's drift
 * falls on all alike:
 *   all layers | without seccomp | without the device filter | without the cgroup view | without any
 * and the user namespace layer on top of all the others (pods with hostUsers: false: the namespace, its ID maps and
 * the idmapped image layer and /etc files).
 * Also timed: building the default seccomp program (once per daemon and capability set, not per pod).
 * Figures are printed, never asserted: the machine is shared and noisy (the minimum shows a layer's own cost best when
 * other work competes for the CPU).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { LoopbackOnlyNetwork } from "../src/network/pod-network.js";
import { DEFAULT_CAPS } from "../src/runtime/container-launch.js";
import { DEFAULT_DEVICE_RULES } from "../src/runtime/devices.js";
import { ImageStore } from "../src/runtime/images.js";
import { Layout } from "../src/runtime/layout.js";
import { LinuxPodRuntime } from "../src/runtime/linux-runtime.js";
import { compileProfile } from "../src/runtime/seccomp/compile.js";
import { DEFAULT_PROFILE } from "../src/runtime/seccomp/default-profile.js";
import { detectCgroups } from "../src/sys/cgroups/detect.js";
import { HostRunner } from "../src/sys/runner.js";
import { Spawner } from "../src/sys/spawner.js";
import { VolumeManager } from "../src/storage/volumes.js";
import { testPod } from "../test/helpers/runtime-harness.js";
import { percentile, printTable } from "./lib.js";
const SHIM = process.env.NODELET_SHIM ?? fileURLToPath(new URL("../../build/nodelet-shim", import.meta.url));
const N = Number(process.env.HARDENING_RUNS ?? 40);
/** The real cgroup manager with the device allowlist and/or the container's cgroup view taken out. */
class WithoutLayers {
    m;
    off;
    version;
    constructor(m, off) {
        this.m = m;
        this.off = off;
        this.version = m.version;
    }
    prepare(owner) { return this.m.prepare(owner); }
    dirs(path) { return this.m.dirs(path); }
    create(path, limits, owner) {
        return this.m.create(path, this.off.devices ? { ...limits, devices: undefined } : limits, owner);
    }
    update(path, limits, owner) { return this.m.update(path, limits, owner); }
    addProcess(path, pid, owner) { return this.m.addProcess(path, pid, owner); }
    procs(path) { return this.m.procs(path); }
    usage(path) { return this.m.usage(path); }
    oomFile(path) { return this.m.oomFile(path); }
    containerView() { return this.off.view ? [] : this.m.containerView(); }
    deviceFilterDir(path) { return this.off.devices ? undefined : this.m.deviceFilterDir(path); }
    remove(path, owner) { return this.m.remove(path, owner); }
    children(path) { return this.m.children(path); }
}
const CONFIGS = [
    { name: "all layers + user namespace (hostUsers: false)", seccomp: true, devices: true, view: true, userns: true },
    { name: "all layers (the default)", seccomp: true, devices: true, view: true },
    { name: "without seccomp", seccomp: false, devices: true, view: true },
    { name: "without the device filter", seccomp: true, devices: false, view: true },
    { name: "without the cgroup view", seccomp: true, devices: true, view: false },
    { name: "without any", seccomp: false, devices: false, view: false },
];
async function makeBench(config, i) {
    const root = mkdtempSync(join(tmpdir(), "nodelet-hardening-"));
    const layout = new Layout(root, join(root, "log"), SHIM);
    const runner = new HostRunner();
    const spawner = new Spawner(SHIM);
    spawner.start();
    runner.useSpawner(spawner);
    const cgroups = new WithoutLayers(detectCgroups(runner, { parent: `nodelet-hardening-${process.pid}-${i}` }), { devices: !config.devices, view: !config.view });
    const images = new ImageStore(layout.imagesDir, runner);
    await images.ensureBusybox();
    const runtime = new LinuxPodRuntime({
        layout, runner, cgroups, images,
        volumes: new VolumeManager(layout, runner),
        network: new LoopbackOnlyNetwork(),
        dns: { clusterDNS: [], clusterDomain: "cluster.local", hostResolvConf: "nameserver 127.0.0.53\n" },
        podPidsLimit: 4096,
        log: { maxSize: 10 * 1024 * 1024, maxFiles: 5 },
        seccomp: { profileRoot: join(root, "seccomp"), defaultToRuntime: config.seccomp },
    });
    await runtime.start();
    return { config, root, runtime, cgroups, spawner, pod: [], container: [] };
}
async function startOnce(b) {
    const pod = testPod([{ command: ["sleep", "3600"] }], b.config.userns ? { hostUsers: false } : {});
    const t0 = performance.now();
    await b.runtime.runSandbox(pod, { cgroupPath: `pod${pod.metadata.uid}` });
    const t1 = performance.now();
    await b.runtime.startContainer(pod, pod.spec.containers[0], { attempt: 0, init: false, env: { configMaps: {}, secrets: {}, hostname: "" }, specHash: "bench" });
    const t2 = performance.now();
    b.pod.push(t2 - t0);
    b.container.push(t2 - t1);
    await b.runtime.removeSandbox(pod.metadata.uid);
}
async function cleanup(b) {
    for (const s of b.runtime.sandboxes())
        await b.runtime.removeSandbox(s.podUid).catch(() => undefined);
    await b.runtime.stop();
    await b.cgroups.remove("").catch(() => undefined);
    b.spawner.stop();
    rmSync(b.root, { recursive: true, force: true });
}
/** The device allowlist's own cost on cgroup v1: creating a container cgroup with and without its 12 writes. */
async function deviceWritesMs(runs) {
    const runner = new HostRunner();
    const cgroups = detectCgroups(runner, { parent: `nodelet-hardening-${process.pid}-devices` });
    const out = { with: [], without: [] };
    try {
        await cgroups.prepare();
        for (let i = 0; i < runs; i++) {
            for (const [key, limits] of [["with", { devices: DEFAULT_DEVICE_RULES }], ["without", {}]]) {
                const t0 = performance.now();
                await cgroups.create(`c${i}${key}`, limits);
                out[key].push(performance.now() - t0);
            }
        }
    }
    finally {
        await cgroups.remove("").catch(() => undefined);
    }
    return out;
}
/** libseccomp building the default profile's program (the daemon does this once per capability set). */
function seccompCompileMs(runs) {
    const dir = mkdtempSync(join(tmpdir(), "nodelet-seccomp-bench-"));
    try {
        const file = join(dir, "default.scmp");
        writeFileSync(file, compileProfile(DEFAULT_PROFILE, { arch: process.arch, caps: DEFAULT_CAPS, kernel: [6, 1], strictNames: false }));
        const out = [];
        for (let i = 0; i < runs; i++) {
            const t0 = performance.now();
            spawnSync(SHIM, ["seccomp-compile", file, join(dir, "out.bpf")]);
            out.push(performance.now() - t0);
        }
        return out;
    }
    finally {
        rmSync(dir, { recursive: true, force: true });
    }
}
async function main() {
    const benches = [];
    try {
        for (const [i, c] of CONFIGS.entries())
            benches.push(await makeBench(c, i));
        for (const b of benches)
            await startOnce(b); // warm-up: first pod of each pays the cold caches
        for (const b of benches)
            b.pod.length = b.container.length = 0;
        for (let i = 0; i < N; i++)
            for (const b of benches)
                await startOnce(b);
    }
    finally {
        for (const b of benches)
            await cleanup(b);
    }
    const base = percentile(benches.at(-1).pod, 50);
    const baseMin = Math.min(...benches.at(-1).pod);
    const delta = (x) => `${x >= 0 ? "+" : ""}${ms(x)}`;
    const ms = (x) => `${x.toFixed(2)} ms`;
    console.log(`\nHardening layers and pod start (${N} pods each, runtime level, cgroup v${benches[0]?.cgroups.version}):`);
    printTable(["configuration", "pod start p50", "p90", "min", "container start p50", "p50 vs without any", "min vs without any"], [
        ...benches.map((b) => {
            const p50 = percentile(b.pod, 50);
            const min = Math.min(...b.pod);
            return [b.config.name, ms(p50), ms(percentile(b.pod, 90)), ms(min), ms(percentile(b.container, 50)), delta(p50 - base), delta(min - baseMin)];
        }),
    ]);
    const dev = await deviceWritesMs(100);
    console.log(`\nA container cgroup created with the device allowlist (cgroup v${benches[0]?.cgroups.version}; on v1 1 + ${DEFAULT_DEVICE_RULES.length} writes): p50 ${ms(percentile(dev.with, 50))}, without: p50 ${ms(percentile(dev.without, 50))}`);
    const compile = seccompCompileMs(10);
    console.log(`\nBuilding the default seccomp program (nodelet-shim seccomp-compile, once per daemon and capability set): p50 ${ms(percentile(compile, 50))}, including the process start`);
}
main().catch((err) => {
    console.error(err);
    process.exit(1);
});
//# sourceMappingURL=hardening-bench.js.map