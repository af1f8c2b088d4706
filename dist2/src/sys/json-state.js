/**
 * The one reader and writer of the daemon's JSON state files (runtime records, IP leases, back-off, image tags,
 * the host's original settings). Writes replace the file atomically (state-file.ts). Reads fail closed: only a
 * file that does not exist means "no record"; a file that cannot be read (EACCES, EISDIR, EMFILE, EIO ...) is a
 * HostError, and one that does not parse is a CorruptStateError — so no caller can take an unreadable record for
 * an absent one and act on that (the orphan sweep once killed live pods that way).
 */
import { renameSync } from "node:fs";
import { HostError } from "./host-error.js";
import { readStateFile, replaceFile } from "./state-file.js";
/** A state file whose content is not JSON (torn by a disk fault, edited by hand). */
export class CorruptStateError extends Error {
    path;
    cause;
    constructor(path, cause) {
        super(`corrupt state file ${path}: ${cause instanceof Error ? cause.message : String(cause)}`);
        this.path = path;
        this.cause = cause;
        this.name = "CorruptStateError";
    }
}
/** Writes `value` as the new content of `path`, atomically; the parent directory is made if missing. */
export function writeJsonState(path, value, opts = {}) {
    replaceFile(path, opts.pretty ? `${JSON.stringify(value, null, 1)}\n` : JSON.stringify(value), opts.mode);
}
/**
 * The parsed content of `path`; undefined only when the file does not exist. Throws HostError when it cannot
 * be read and CorruptStateError when it does not parse. `owner` names what the file is for, in errors.
 */
export function readJsonState(path, owner = "") {
    let text;
    try {
        text = readStateFile(path);
    }
    catch (err) {
        throw new HostError("read", path, owner, err);
    }
    if (text === undefined)
        return undefined;
    try {
        return JSON.parse(text);
    }
    catch (err) {
        throw new CorruptStateError(path, err);
    }
}
/**
 * Moves a corrupt state file aside (`PATH.corrupt-TIMESTAMP`), so it is kept for a person to read and no longer
 * read as state; returns the new path.
 */
export function moveAside(path, now) {
    const aside = `${path}.corrupt-${now.toISOString().replace(/[:.]/g, "")}`;
    renameSync(path, aside);
    return aside;
}
//# sourceMappingURL=json-state.js.map