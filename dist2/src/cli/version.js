/** `nodelet version`: the client's version and, when the daemon answers, the server's. */
import { GLOBAL_FLAGS, parseArgs } from "./args.js";
import { makeContext } from "./context.js";
export const CLIENT_VERSION = "v0.1.0";
export const FLAGS = [...GLOBAL_FLAGS, { name: "client", value: false }];
export async function main(argv) {
    const p = parseArgs(argv, FLAGS);
    process.stdout.write(`Client Version: ${CLIENT_VERSION}\n`);
    if (p.flags.has("client"))
        return 0;
    const ctx = makeContext(p);
    try {
        const v = await ctx.client.request("GET", "/version");
        process.stdout.write(`Server Version: ${v.gitVersion}\n`);
        return 0;
    }
    catch (err) {
        process.stderr.write(`error: cannot reach the daemon: ${err instanceof Error ? err.message : String(err)}\n`);
        return 1;
    }
    finally {
        ctx.client.close();
    }
}
//# sourceMappingURL=version.js.map