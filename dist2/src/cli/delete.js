import { resourcePath } from "../client/index.js";
import { boolFlag, flag, flags, GLOBAL_FLAGS, intFlag, parseArgs, UsageError } from "./args.js";
import { makeContext, report, targets } from "./context.js";
import { readManifests } from "./manifests.js";
import { resourceForKind } from "../api/resources.js";
export const FLAGS = [
    ...GLOBAL_FLAGS,
    { name: "filename", short: "f", value: true, multiple: true },
    { name: "selector", short: "l", value: true },
    { name: "all", value: false },
    { name: "grace-period", value: true },
    { name: "now", value: false },
    { name: "force", value: false },
    { name: "wait", value: false },
    { name: "ignore-not-found", value: false },
    { name: "timeout", value: true },
];
export async function main(argv) {
    let ctx;
    try {
        const p = parseArgs(argv, FLAGS);
        ctx = makeContext(p);
        const grace = gracePeriod(p);
        if (grace === 0 && boolFlag(p, "force")) {
            ctx.err.write("Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n");
        }
        const list = await collectTargets(ctx, p);
        let failed = 0;
        const waits = [];
        for (const t of list) {
            const path = resourcePath(t.info, t.namespace, t.name);
            try {
                const body = { apiVersion: "v1", kind: "DeleteOptions", propagationPolicy: "Background", ...(grace !== undefined ? { gracePeriodSeconds: grace } : {}) };
                const before = await ctx.client.request("DELETE", path, { body });
                ctx.out.write(`${t.info.singular} "${t.name}" ${grace === 0 ? "force deleted" : "deleted"}\n`);
                if (flag(p, "wait") !== "false")
                    waits.push(waitGone(ctx, path, before?.metadata?.uid));
            }
            catch (err) {
                if (boolFlag(p, "ignore-not-found") && err.reason === "NotFound")
                    continue;
                failed = report(err, ctx.err);
            }
        }
        await Promise.all(waits);
        return failed;
    }
    catch (err) {
        return report(err, ctx?.err);
    }
    finally {
        ctx?.client.close();
    }
}
function gracePeriod(p) {
    if (boolFlag(p, "now"))
        return 1;
    const g = intFlag(p, "grace-period");
    if (g === undefined || g < 0)
        return boolFlag(p, "force") ? 0 : undefined;
    // kubectl: --grace-period=0 without --force means "as fast as possible" (1 s).
    return g === 0 && !boolFlag(p, "force") ? 1 : g;
}
async function collectTargets(ctx, p) {
    const files = flags(p, "filename");
    if (files.length) {
        const objs = await readManifests(files);
        return objs.map((o) => {
            const info = resourceForKind(o.kind);
            if (!info)
                throw new UsageError(`unknown kind "${o.kind}"`);
            return { info, namespace: info.namespaced ? o.metadata.namespace ?? ctx.namespace : undefined, name: o.metadata.name ?? "" };
        });
    }
    const out = [];
    for (const { info, names } of targets(p.positional)) {
        const namespace = info.namespaced ? ctx.namespace : undefined;
        if (names.length) {
            for (const name of names)
                out.push({ info, namespace, name });
            continue;
        }
        const selector = flag(p, "selector");
        if (!selector && !boolFlag(p, "all"))
            throw new UsageError("resource(s) were provided, but no name was specified");
        const list = await ctx.client.request("GET", resourcePath(info, namespace), { query: { labelSelector: selector } });
        for (const item of list.items)
            out.push({ info, namespace, name: item.metadata.name ?? "" });
    }
    return out;
}
/** Polls until the object is gone (or replaced by a new one with another uid). */
async function waitGone(ctx, path, uid) {
    for (let delay = 20;; delay = Math.min(delay * 2, 500)) {
        try {
            const cur = await ctx.client.request("GET", path);
            if (uid && cur.metadata.uid !== uid)
                return;
        }
        catch {
            return;
        }
        await new Promise((r) => setTimeout(r, delay));
    }
}
//# sourceMappingURL=delete.js.map