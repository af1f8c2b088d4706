/**
 * `nodelet images` (list), `nodelet image build --from-host PATH... --tag NAME`, `nodelet image rm NAME`.
 */
import { familiarName } from "../api/image.js";
import { flag, flags, GLOBAL_FLAGS, parseArgs, UsageError } from "./args.js";
import { makeContext, report } from "./context.js";
import { formatColumns } from "./printers.js";
export const FLAGS = [
    ...GLOBAL_FLAGS,
    { name: "from-host", value: true, multiple: true },
    { name: "tag", short: "t", value: true },
    { name: "quiet", short: "q", value: false },
];
const BASE = "/apis/nodelet.io/v1/images";
export async function main(argv, verb) {
    let ctx;
    try {
        // `image build --from-host A B` takes every word after --from-host until the next flag.
        const p = parseArgs(expandFromHost(argv), FLAGS);
        ctx = makeContext(p);
        const sub = verb === "images" ? "ls" : p.positional[0];
        if (sub === "ls" || sub === "list")
            return await list(ctx, p.flags.has("quiet"));
        if (sub === "build") {
            const paths = flags(p, "from-host");
            if (!paths.length)
                throw new UsageError("image build needs --from-host PATH... (binaries or directories of this host)");
            const tag = flag(p, "tag");
            if (!tag)
                throw new UsageError("image build needs --tag NAME");
            const img = await ctx.client.request("POST", BASE, { body: { fromHost: paths, tag } });
            ctx.out.write(`Successfully built ${img.id.slice(0, 12)}\nSuccessfully tagged ${img.tags.map(familiarName).join(", ")}\n`);
            return 0;
        }
        if (sub === "rm" || sub === "remove") {
            for (const name of p.positional.slice(1)) {
                await ctx.client.request("DELETE", `${BASE}/${encodeURIComponent(name)}`);
                ctx.out.write(`Untagged: ${name}\n`);
            }
            return 0;
        }
        throw new UsageError(`unknown image command "${sub ?? ""}": use images, image build, image rm`);
    }
    catch (err) {
        return report(err, ctx?.err);
    }
    finally {
        ctx?.client.close();
    }
}
async function list(ctx, quiet) {
    const { items } = await ctx.client.request("GET", BASE);
    if (quiet) {
        for (const i of items)
            ctx.out.write(`${i.id.slice(0, 12)}\n`);
        return 0;
    }
    const rows = [["REPOSITORY", "TAG", "IMAGE ID", "SIZE"]];
    for (const img of items) {
        // An untagged image (its tag moved to a newer pull) shows as Docker's <none>.
        for (const t of img.tags.length ? img.tags.map(familiarName) : ["<none>:<none>"]) {
            const i = t.lastIndexOf(":");
            rows.push([t.slice(0, i), t.slice(i + 1), img.id.slice(0, 12), humanSize(img.size)]);
        }
    }
    ctx.out.write(formatColumns(rows));
    return 0;
}
function expandFromHost(argv) {
    const out = [];
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] !== "--from-host") {
            out.push(argv[i]);
            continue;
        }
        while (i + 1 < argv.length && !argv[i + 1].startsWith("-"))
            out.push("--from-host", argv[++i]);
    }
    return out;
}
function humanSize(bytes) {
    if (bytes >= 1e9)
        return `${(bytes / 1e9).toFixed(2)}GB`;
    if (bytes >= 1e6)
        return `${(bytes / 1e6).toFixed(1)}MB`;
    return `${(bytes / 1e3).toFixed(0)}kB`;
}
//# sourceMappingURL=images.js.map