/**
 * Where the nodelet-shim binary is: $NODELET_SHIM, else build/nodelet-shim in the checkout this code runs from
 * (found by walking up from this module, which may sit in dist/src/sys or in a bundle chunk), else the installed copy.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
export function findShim(from = import.meta.url) {
    if (process.env.NODELET_SHIM)
        return process.env.NODELET_SHIM;
    let dir = dirname(fileURLToPath(from));
    for (let i = 0; i < 6; i++) {
        const candidate = join(dir, "build", "nodelet-shim");
        if (existsSync(candidate))
            return candidate;
        dir = dirname(dir);
    }
    return "/usr/local/lib/nodelet/nodelet-shim";
}
//# sourceMappingURL=shim-path.js.map