/**
 * Reading `-f` arguments: files, directories (their .yaml/.yml/.json files) or `-` for stdin, decoded into objects.
 */
import { promises as fsp } from "node:fs";
import { join } from "node:path";
import { decodeManifests } from "../api/manifest.js";
export async function readManifests(paths) {
    const out = [];
    for (const p of paths) {
        if (p === "-") {
            out.push(...decodeManifests(await readStdin(), "STDIN"));
            continue;
        }
        const st = await fsp.stat(p).catch(() => undefined);
        if (!st)
            throw new Error(`the path "${p}" does not exist`);
        const files = st.isDirectory()
            ? (await fsp.readdir(p)).filter((f) => /\.(ya?ml|json)$/.test(f)).sort().map((f) => join(p, f))
            : [p];
        for (const f of files)
            out.push(...decodeManifests(await fsp.readFile(f, "utf8"), f));
    }
    return out;
}
async function readStdin() {
    const chunks = [];
    for await (const c of process.stdin)
        chunks.push(c);
    return Buffer.concat(chunks).toString();
}
//# sourceMappingURL=manifests.js.map