/** Reading small host text files that may legitimately be missing. */
import { readFileSync } from "node:fs";
/**
 * The file's text, or `fallback` when it cannot be read. Only for optional inputs (the host's /etc/hosts, an
 * image's /etc/passwd, a termination message) whose absence has a safe meaning; state files go through
 * state-file.ts, which tells "missing" from "unreadable".
 */
export function readTextOr(path, fallback) {
    try {
        return readFileSync(path, "utf8");
    }
    catch {
        return fallback;
    }
}
//# sourceMappingURL=text-file.js.map