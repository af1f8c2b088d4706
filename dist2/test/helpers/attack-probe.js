/**
 * The attack probe (attack-probe.c): a static binary that tries one syscall per step from inside a container and
 * prints "STEP ok" or "STEP <ERRNO>". Built with gcc (the shim's compiler) into a directory the test mounts into
 * its pod; parseProbe turns the output into a map.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
const SOURCE = resolve(dirname(fileURLToPath(import.meta.url)), "../../../test/helpers/attack-probe.c");
/** Compiles the probe into dir/attack-probe; returns dir. */
export function buildProbe(dir) {
    mkdirSync(dir, { recursive: true });
    execFileSync("gcc", ["-static", "-O1", "-Wall", "-o", join(dir, "attack-probe"), SOURCE], { stdio: "pipe" });
    return dir;
}
/** "keyctl EPERM\nmount ok\n" → {keyctl: "EPERM", mount: "ok"} (a repeated step keeps its last result). */
export function parseProbe(out) {
    const r = {};
    for (const line of out.split("\n")) {
        const [step, result] = line.trim().split(" ");
        if (step && result)
            r[step] = result;
    }
    return r;
}
//# sourceMappingURL=attack-probe.js.map