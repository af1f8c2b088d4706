/**
 * `nodelet logs POD [-c CTR] [-f] [-p|--previous] [--tail N] [--timestamps] [--since 5m] [--limit-bytes N]`.
 */
import { resolveResource } from "../api/resources.js";
import { resourcePath } from "../client/index.js";
import { boolFlag, flag, GLOBAL_FLAGS, intFlag, parseArgs, UsageError } from "./args.js";
import { makeContext, report } from "./context.js";
export const FLAGS = [
    ...GLOBAL_FLAGS,
    { name: "container", short: "c", value: true },
    { name: "follow", short: "f", value: false },
    { name: "previous", short: "p", value: false },
    { name: "tail", value: true },
    { name: "timestamps", value: false },
    { name: "since", value: true },
    { name: "limit-bytes", value: true },
];
export async function main(argv) {
    let ctx;
    try {
        const p = parseArgs(argv, FLAGS);
        ctx = makeContext(p);
        if (p.positional.length !== 1)
            throw new UsageError("expected exactly one pod name: nodelet logs POD [-c CONTAINER]");
        const name = p.positional[0].replace(/^(pods?|po)\//, "");
        const tail = intFlag(p, "tail");
        const query = {
            container: flag(p, "container"),
            follow: boolFlag(p, "follow") ? "true" : undefined,
            previous: boolFlag(p, "previous") ? "true" : undefined,
            tailLines: tail !== undefined && tail >= 0 ? String(tail) : undefined,
            timestamps: boolFlag(p, "timestamps") ? "true" : undefined,
            sinceSeconds: flag(p, "since") ? String(durationSeconds(flag(p, "since"))) : undefined,
            limitBytes: flag(p, "limit-bytes"),
        };
        const stream = ctx.client.stream(resourcePath(resolveResource("pods"), ctx.namespace, name, "log"), query);
        const out = ctx.out;
        await new Promise((resolve, reject) => {
            stream.on("data", (d) => out.write(d));
            stream.on("end", resolve);
            stream.on("error", reject);
            process.once("SIGINT", () => {
                stream.destroy();
                resolve();
            });
        });
        return 0;
    }
    catch (err) {
        return report(err, ctx?.err);
    }
    finally {
        ctx?.client.close();
    }
}
/** "30s", "5m", "2h" → seconds. */
export function durationSeconds(s) {
    const m = /^(\d+)(s|m|h)?$/.exec(s);
    if (!m)
        throw new UsageError(`invalid duration "${s}": use e.g. 30s, 5m, 2h`);
    return Number(m[1]) * (m[2] === "h" ? 3600 : m[2] === "m" ? 60 : 1);
}
//# sourceMappingURL=logs.js.map