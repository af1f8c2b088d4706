import { resolveResource } from "../api/resources.js";
import { resourcePath } from "../client/index.js";
import { boolFlag, flag, flags, GLOBAL_FLAGS, intFlag, parseArgs, UsageError } from "./args.js";
import { makeContext, report } from "./context.js";
import { PodWatcher } from "./pod-watcher.js";
import { toJSON, toYAML } from "./printers.js";
export const FLAGS = [
    ...GLOBAL_FLAGS,
    { name: "image", value: true },
    { name: "restart", value: true },
    { name: "rm", value: false },
    { name: "attach", value: false },
    { name: "stdin", short: "i", value: false },
    { name: "tty", short: "t", value: false },
    { name: "env", value: true, multiple: true },
    { name: "labels", short: "l", value: true },
    { name: "port", value: true },
    { name: "command", value: false },
    { name: "limits", value: true },
    { name: "requests", value: true },
    { name: "image-pull-policy", value: true },
    { name: "dry-run", value: true },
    { name: "output", short: "o", value: true },
    { name: "quiet", short: "q", value: false },
];
const PODS = resolveResource("pods");
export async function main(argv) {
    let ctx;
    try {
        const p = parseArgs(argv, FLAGS);
        ctx = makeContext(p);
        const pod = buildPod(p, ctx.namespace);
        const attach = boolFlag(p, "attach");
        if (boolFlag(p, "rm") && !attach)
            throw new UsageError("--rm should only be used for attached containers (use --attach)");
        if (boolFlag(p, "stdin") || boolFlag(p, "tty")) {
            throw new UsageError("-i/-t are not supported by `run` yet: start the pod and use `nodelet exec -it POD -- sh`");
        }
        if (flag(p, "dry-run") === "client") {
            ctx.out.write(flag(p, "output") === "json" ? toJSON(pod) : await toYAML(pod));
            return 0;
        }
        // With --attach the watch goes out with the create rather than after it: one round trip less before the wait.
        const watcher = attach ? new PodWatcher(ctx.client, ctx.namespace, pod.metadata.name) : undefined;
        let created;
        try {
            created = await ctx.client.create(PODS, pod, { namespace: ctx.namespace, query: { fieldManager: "nodelet-run" } });
        }
        catch (err) {
            watcher?.stop();
            throw err;
        }
        if (!watcher) {
            ctx.out.write(`pod/${created.metadata.name} created\n`);
            return 0;
        }
        watcher.track(created);
        // --rm removes the pod however the wait ends: with the container's exit, or with an error (a failed start).
        let code;
        try {
            code = await attachAndWait(ctx, created, watcher);
        }
        finally {
            if (boolFlag(p, "rm")) {
                await ctx.client.request("DELETE", resourcePath(PODS, ctx.namespace, created.metadata.name), {
                    body: { apiVersion: "v1", kind: "DeleteOptions", propagationPolicy: "Background" },
                });
                if (!boolFlag(p, "quiet"))
                    ctx.out.write(`pod "${created.metadata.name}" deleted\n`);
            }
        }
        return code;
    }
    catch (err) {
        return report(err, ctx?.err);
    }
    finally {
        ctx?.client.close();
    }
}
/** The Pod kubectl run would make. */
export function buildPod(p, namespace) {
    const name = p.positional[0];
    if (!name || p.positional.length > 1)
        throw new UsageError("NAME is required for run (nodelet run NAME --image IMAGE [-- ARGS...])");
    const image = flag(p, "image");
    if (!image)
        throw new UsageError("--image is required");
    const restart = flag(p, "restart") ?? "Always";
    if (!["Always", "OnFailure", "Never"].includes(restart))
        throw new UsageError(`invalid restart policy: ${restart}`);
    const labels = flag(p, "labels") ? keyValues(flag(p, "labels"), "--labels") : { run: name };
    const c = { name, image };
    if (p.rest.length) {
        if (boolFlag(p, "command"))
            c.command = p.rest;
        else
            c.args = p.rest;
    }
    const env = flags(p, "env").map((kv) => {
        const eq = kv.indexOf("=");
        if (eq <= 0)
            throw new UsageError(`invalid env: ${kv} (want NAME=VALUE)`);
        return { name: kv.slice(0, eq), value: kv.slice(eq + 1) };
    });
    if (env.length)
        c.env = env;
    const port = intFlag(p, "port");
    if (port !== undefined)
        c.ports = [{ containerPort: port }];
    const limits = flag(p, "limits");
    const requests = flag(p, "requests");
    if (limits || requests) {
        c.resources = {};
        if (limits)
            c.resources.limits = keyValues(limits, "--limits");
        if (requests)
            c.resources.requests = keyValues(requests, "--requests");
    }
    const pull = flag(p, "image-pull-policy");
    if (pull)
        c.imagePullPolicy = pull;
    return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name, namespace, labels },
        spec: { containers: [c], restartPolicy: restart },
    };
}
function keyValues(text, flagName) {
    const out = {};
    for (const part of text.split(",").filter(Boolean)) {
        const eq = part.indexOf("=");
        if (eq <= 0)
            throw new UsageError(`invalid ${flagName} value "${part}" (want key=value)`);
        out[part.slice(0, eq)] = part.slice(eq + 1);
    }
    return out;
}
const FAIL_REASONS = ["ErrImagePull", "ImagePullBackOff", "ErrImageNeverPull", "CreateContainerConfigError", "CreateContainerError", "RunContainerError", "InvalidImageName"];
/** Waits for the container, streams its output, and returns its exit code once the kubelet reports it. */
async function attachAndWait(ctx, pod, watcher) {
    const name = pod.metadata.name;
    try {
        const started = await watcher.until((p) => {
            const s = p.status?.containerStatuses?.[0];
            if (s?.state.waiting && FAIL_REASONS.includes(s.state.waiting.reason ?? "")) {
                throw new Error(`pod ${name}: container ${s.name} cannot start: ${s.state.waiting.reason}: ${s.state.waiting.message ?? ""}`);
            }
            return Boolean(s?.state.running || s?.state.terminated || s?.lastState.terminated);
        });
        const running = Boolean(started.status?.containerStatuses?.[0]?.state.running);
        const logs = ctx.client.stream(resourcePath(PODS, ctx.namespace, name, "log"), { follow: running ? "true" : undefined });
        for await (const chunk of logs)
            ctx.out.write(chunk);
        const done = await watcher.until((p) => {
            const s = p.status?.containerStatuses?.[0];
            return Boolean(s?.state.terminated || s?.lastState.terminated) || p.status?.phase === "Succeeded" || p.status?.phase === "Failed";
        });
        const s = done.status?.containerStatuses?.[0];
        return s?.state.terminated?.exitCode ?? s?.lastState.terminated?.exitCode ?? 0;
    }
    finally {
        watcher.stop();
    }
}
//# sourceMappingURL=run.js.map