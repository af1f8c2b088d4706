import { boolFlag, flag, GLOBAL_FLAGS, parseArgs, UsageError } from "./args.js";
import { makeContext, report } from "./context.js";
import { formatColumns } from "./printers.js";
import { bytes, mebi, milli, milliExact } from "./metrics-format.js";
export const FLAGS = [
    ...GLOBAL_FLAGS,
    { name: "all-namespaces", short: "A", value: false },
    { name: "selector", short: "l", value: true },
    { name: "containers", value: false },
    { name: "no-headers", value: false },
];
export async function main(argv) {
    let ctx;
    try {
        const p = parseArgs(argv, FLAGS);
        ctx = makeContext(p);
        const [what, name] = p.positional;
        const base = "/apis/metrics.k8s.io/v1beta1";
        if (what === "node" || what === "nodes" || what === "no") {
            const list = await ctx.client.request("GET", `${base}/nodes`);
            const rows = list.items.map((n) => [n.metadata.name, `${milli(n.usage.cpu)}m`, `${mebi(n.usage.memory)}Mi`]);
            ctx.out.write(formatColumns(boolFlag(p, "no-headers") ? rows : [["NAME", "CPU(cores)", "MEMORY(bytes)"], ...rows]));
            return 0;
        }
        if (what !== "pod" && what !== "pods" && what !== "po")
            throw new UsageError(`unknown resource "${what ?? ""}" for top: use pods or nodes`);
        const all = boolFlag(p, "all-namespaces");
        const path = all ? `${base}/pods` : `${base}/namespaces/${ctx.namespace}/pods${name ? `/${name}` : ""}`;
        const data = await ctx.client.request("GET", path, { query: { labelSelector: flag(p, "selector") } });
        const items = name ? [data] : data.items ?? [];
        if (items.length === 0) {
            ctx.err.write(`No resources found in ${ctx.namespace} namespace.\n`);
            return 0;
        }
        ctx.out.write(formatColumns(table(items, all, boolFlag(p, "containers"), boolFlag(p, "no-headers"))));
        return 0;
    }
    catch (err) {
        return report(err, ctx?.err);
    }
    finally {
        ctx?.client.close();
    }
}
function table(items, all, containers, noHeaders) {
    const header = [...(all ? ["NAMESPACE"] : []), "NAME", ...(containers ? ["CONTAINER"] : []), "CPU(cores)", "MEMORY(bytes)"];
    const rows = [];
    for (const m of items) {
        const prefix = [...(all ? [m.metadata.namespace ?? ""] : []), m.metadata.name ?? ""];
        if (containers) {
            for (const c of m.containers)
                rows.push([...prefix, c.name, `${milli(c.usage.cpu)}m`, `${mebi(c.usage.memory)}Mi`]);
        }
        else {
            const cpu = m.containers.reduce((s, c) => s + milliExact(c.usage.cpu), 0);
            const mem = m.containers.reduce((s, c) => s + bytes(c.usage.memory), 0);
            rows.push([...prefix, `${Math.ceil(cpu)}m`, `${Math.floor(mem / 1048576)}Mi`]);
        }
    }
    return noHeaders ? rows : [header, ...rows];
}
//# sourceMappingURL=top.js.map