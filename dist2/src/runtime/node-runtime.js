import { detectCgroups } from "../sys/cgroups/detect.js";
import { HostRunner } from "../sys/runner.js";
import { VolumeManager } from "../storage/volumes.js";
import { configVolumePlugins } from "../storage/projected-volume.js";
import { ImageStore } from "./images.js";
import { Layout } from "./layout.js";
import { LinuxPodRuntime } from "./linux-runtime.js";
export function createNodeRuntime(o) {
    const layout = new Layout(o.root, o.logDir, o.shimPath);
    const runner = new HostRunner(o.recorder?.(layout), o.verboseLog);
    const cgroups = detectCgroups(runner, { parent: o.cgroupParent });
    const images = new ImageStore(layout.imagesDir, runner);
    const network = o.network(runner, layout);
    const runtime = new LinuxPodRuntime({
        layout,
        runner,
        cgroups,
        images,
        volumes: new VolumeManager(layout, runner, [...configVolumePlugins(layout, runner, o.configObjects ?? (() => undefined)), ...(o.volumePlugins?.(runner, layout) ?? [])]),
        network,
        dns: o.dns,
        podPidsLimit: o.podPidsLimit,
        log: o.log,
        report: o.report,
        seccomp: o.seccomp,
    });
    return { layout, runner, cgroups, images, network, runtime };
}
//# sourceMappingURL=node-runtime.js.map