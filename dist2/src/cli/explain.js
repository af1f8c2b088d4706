/**
 * `nodelet explain pod NAME`: every host command and file write nodelet made to build the pod, in order, as a
 * shell script a person can read and replay (the study note, made executable). The first place to look when a
 * pod fails.
 */
import { GLOBAL_FLAGS, parseArgs, UsageError } from "./args.js";
import { makeContext, report } from "./context.js";
export const FLAGS = GLOBAL_FLAGS;
export async function main(argv) {
    let ctx;
    try {
        const p = parseArgs(argv, FLAGS);
        ctx = makeContext(p);
        let [kind, name] = p.positional;
        if (kind?.includes("/"))
            [kind, name] = kind.split("/", 2);
        if (!["pod", "pods", "po"].includes(kind ?? "") || !name)
            throw new UsageError("usage: nodelet explain pod NAME");
        const script = await ctx.client.request("GET", `/apis/nodelet.io/v1/namespaces/${encodeURIComponent(ctx.namespace)}/pods/${encodeURIComponent(name)}/explain`, { accept: "text/x-shellscript" });
        ctx.out.write(script);
        return 0;
    }
    catch (err) {
        return report(err, ctx?.err);
    }
    finally {
        ctx?.client.close();
    }
}
//# sourceMappingURL=explain.js.map