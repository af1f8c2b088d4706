/**
 * Test gating: privileged tests need root (CI runs as root); without it they are skipped with the reason printed.
 */
import { accessSync, constants } from "node:fs";
import { join } from "node:path";
export const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
/** A `skip` option value for node:test: false when the test can run, or the printed reason why not. */
export function needsRoot() {
    return isRoot ? false : "needs root (privileged test)";
}
/** True when `cmd` is an executable on PATH. */
export function onPath(cmd) {
    for (const dir of (process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
        try {
            accessSync(join(dir, cmd), constants.X_OK);
            return true;
        }
        catch {
            // keep looking
        }
    }
    return false;
}
/** `skip` reason unless the command is on PATH. */
export function needsCommand(cmd) {
    return onPath(cmd) ? false : `${cmd} is not installed`;
}
/** Combines skip reasons: the first reason wins. */
export function skipUnless(...reasons) {
    return reasons.find((r) => r !== false) ?? false;
}
//# sourceMappingURL=root.js.map