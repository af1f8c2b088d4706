/**
 * `nodelet port-forward pod/NAME [LOCAL:]REMOTE...`: listens on 127.0.0.1 and forwards every connection to the
 * pod's port through the API server, until interrupted (kubectl port-forward's job).
 */
import { resolveResource } from "../api/resources.js";
import { resourcePath } from "../client/index.js";
import { portForward } from "../client/streaming/index.js";
import { flag, GLOBAL_FLAGS, parseArgs, UsageError } from "./args.js";
import { streamConnection } from "./connect.js";
import { findShim } from "../sys/shim-path.js";
import { report } from "./context.js";
export const FLAGS = [...GLOBAL_FLAGS, { name: "address", value: true }];
export async function main(argv) {
    try {
        const p = parseArgs(argv, FLAGS);
        const [target, ...specs] = p.positional;
        if (!target || specs.length === 0)
            throw new UsageError("TYPE/NAME and list of ports are required for port-forward");
        const name = target.replace(/^(pods?|po)\//, "");
        if (name.includes("/"))
            throw new UsageError(`only pods can be forwarded to (got ${target})`);
        const mappings = specs.map(parseMapping);
        const { connect, options } = await streamConnection(p);
        const address = flag(p, "address") ?? "127.0.0.1";
        const podPath = resourcePath(resolveResource("pods"), flag(p, "namespace") ?? "default", name);
        // On the unix socket nodelet's raw tunnel (spliced for bulk transfers); over TLS the kubelet's WebSocket protocol.
        const raw = flag(p, "server") === undefined;
        const fwd = await portForward(connect, podPath, mappings, {
            ...options,
            address,
            transport: raw ? "raw" : "websocket",
            shimPath: raw ? findShim() : undefined,
            onConnection: (m) => process.stdout.write(`Handling connection for ${m.local}\n`),
            onError: (e, m) => process.stderr.write(`E: an error occurred forwarding ${m.local} -> ${m.remote}: ${e.message}\n`),
        });
        for (const m of fwd.ports)
            process.stdout.write(`Forwarding from ${address}:${m.local} -> ${m.remote}\n`);
        await new Promise((resolve) => {
            process.once("SIGINT", resolve);
            process.once("SIGTERM", resolve);
        });
        await fwd.close();
        return 0;
    }
    catch (err) {
        return report(err);
    }
}
/** "8080:80" → 8080→80; "80" → 80→80; ":80" → a free local port → 80. */
function parseMapping(spec) {
    const m = /^(\d*):?(\d+)$/.exec(spec);
    if (!m)
        throw new UsageError(`invalid port mapping "${spec}": use [LOCAL:]REMOTE`);
    const remote = Number(m[2]);
    const local = spec.includes(":") ? (m[1] === "" ? 0 : Number(m[1])) : remote;
    for (const [what, v] of [["remote", remote], ["local", local]]) {
        if (v > 65535 || (what === "remote" && v < 1))
            throw new UsageError(`invalid ${what} port ${v} in "${spec}": must be 1-65535`);
    }
    return { local, remote };
}
//# sourceMappingURL=port-forward.js.map