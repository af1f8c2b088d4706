import { resourceForKind } from "../api/resources.js";
import { createApplyPatch, withLastApplied } from "../api/apply-patch.js";
import { ApiError } from "../api/errors.js";
import { resourcePath } from "../client/index.js";
import { flags, GLOBAL_FLAGS, parseArgs, UsageError } from "./args.js";
import { makeContext, report } from "./context.js";
import { readManifests } from "./manifests.js";
export const FLAGS = [...GLOBAL_FLAGS, { name: "filename", short: "f", value: true, multiple: true }, { name: "validate", value: false }];
const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
export async function main(argv, verb = "apply") {
    let ctx;
    try {
        const p = parseArgs(argv, FLAGS);
        ctx = makeContext(p);
        const files = flags(p, "filename");
        if (!files.length)
            throw new UsageError("must specify one of -f and -k");
        const objects = await readManifests(files);
        let code = 0;
        for (const obj of objects) {
            try {
                const { info, target } = placed(ctx, obj);
                const result = verb === "create" ? await create(ctx, info, target) : await apply(ctx, info, target);
                ctx.out.write(`${info.singular}/${target.metadata.name} ${result}\n`);
            }
            catch (err) {
                code = report(err, ctx.err);
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
/** The object with its namespace decided: its own, else -n, else default; a conflict with -n is an error. */
function placed(ctx, obj) {
    const info = resourceForKind(obj.kind);
    if (!info)
        throw new UsageError(`no matches for kind "${obj.kind}" in version "${obj.apiVersion}"`);
    if (!info.namespaced)
        return { info, target: obj };
    const own = obj.metadata?.namespace;
    if (own && ctx.namespaceGiven && own !== ctx.namespace) {
        throw new UsageError(`the namespace from the provided object "${own}" does not match the namespace "${ctx.namespace}". You must pass '--namespace=${own}' to perform this operation.`);
    }
    return { info, target: { ...obj, metadata: { ...obj.metadata, namespace: own ?? ctx.namespace } } };
}
async function create(ctx, info, obj) {
    await ctx.client.create(info, obj, { query: { fieldManager: "nodelet-create" } });
    return "created";
}
async function apply(ctx, info, obj) {
    const name = obj.metadata.name;
    if (!name)
        throw new UsageError(`error when retrieving current configuration: a ${info.singular} in the file has no metadata.name`);
    const ns = obj.metadata.namespace;
    let current;
    try {
        current = await ctx.client.request("GET", resourcePath(info, ns, name));
    }
    catch (err) {
        if (!(err instanceof ApiError) || err.reason !== "NotFound")
            throw err;
        const withAnnotation = withLastApplied(obj);
        await ctx.client.create(info, withAnnotation, { query: { fieldManager: "nodelet-client-side-apply" } });
        return "created";
    }
    const lastText = current.metadata.annotations?.[LAST_APPLIED];
    const last = lastText ? JSON.parse(lastText) : undefined;
    const patch = createApplyPatch(last, obj, current, obj.kind);
    if (Object.keys(patch).length === 0)
        return "unchanged";
    const before = current.metadata.resourceVersion;
    const after = await ctx.client.patch(info, ns, name, patch, "strategic", { query: { fieldManager: "nodelet-client-side-apply" } });
    return after.metadata.resourceVersion === before ? "unchanged" : "configured";
}
//# sourceMappingURL=apply.js.map