import { EmptyDirPlugin } from "./empty-dir.js";
import { HostPathPlugin } from "./host-path.js";
import { VolumeError } from "./volume-plugin.js";
export class VolumeManager {
    plugins;
    constructor(layout, runner, extra = []) {
        this.plugins = [new EmptyDirPlugin(layout, runner), new HostPathPlugin(runner), ...extra];
    }
    /** Sets up every volume of the pod; on failure tears down what was set up and throws VolumeError. */
    async setup(pod) {
        const ready = new Map();
        const done = [];
        try {
            for (const v of pod.spec.volumes ?? []) {
                const plugin = this.pluginFor(v);
                ready.set(v.name, await plugin.setup(pod, v));
                done.push(v);
            }
        }
        catch (err) {
            for (const v of done.reverse())
                await this.pluginFor(v).teardown(pod, v).catch(() => undefined);
            throw err;
        }
        return ready;
    }
    /**
     * Brings the content of the pod's set-up volumes that follow API objects (configMap, secret, downwardAPI,
     * projected) up to date; every volume is tried, the first failure is thrown after (VolumeError).
     */
    async refresh(pod) {
        let first;
        for (const v of pod.spec.volumes ?? []) {
            const plugin = this.plugins.find((p) => p.handles(v));
            if (plugin?.refresh)
                await plugin.refresh(pod, v).catch((err) => (first ??= err));
        }
        if (first)
            throw first;
    }
    /** Tears down every volume of the pod (idempotent). */
    async teardown(pod) {
        for (const v of pod.spec.volumes ?? []) {
            const plugin = this.plugins.find((p) => p.handles(v));
            if (plugin)
                await plugin.teardown(pod, v);
        }
    }
    pluginFor(v) {
        const plugin = this.plugins.find((p) => p.handles(v));
        if (!plugin) {
            const kinds = Object.keys(v).filter((k) => k !== "name");
            throw new VolumeError(v.name, `volume type ${kinds.join(", ") || "(none)"} is not supported on this node`);
        }
        return plugin;
    }
}
//# sourceMappingURL=volumes.js.map