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
  constructor(
    readonly path: string,
    override readonly cause: unknown,
  ) {
    super(`corrupt state file ${path}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = "CorruptStateError";
  }
}

/** Writes `value` as the new content of `path`, atomically; the parent directory is made if missing. */
export function writeJsonState(path: string, value: unknown, opts: { mode?: number; pretty?: boolean } = {}): void {
  replaceFile(path, opts.pretty ? `${JSON.stringify(value, null, 1)}\n` : JSON.stringify(value), opts.mode);
}

/**
 * The parsed content of `path`; undefined only when the file does not exist. Throws HostError when it cannot
 * be read and CorruptStateError when it does not parse. `owner` names what the file is for, in errors.
 */
export function readJsonState<T>(path: string, owner = ""): T | undefined {
  let text: string | undefined;
  try {
    text = readStateFile(path);
  } catch (err) {
    throw new HostError("read", path, owner, err);
  }
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new CorruptStateError(path, err);
  }
}

/** What a moved-aside file's name holds after the original name: a marker that readers look for. */
export const CORRUPT_MARK = ".corrupt-";

/**
 * Moves a corrupt state file aside (`PATH.corrupt-TIMESTAMP`), so it is kept for a person to read and no longer
 * read as state; returns the new path.
 */
export function moveAside(path: string, now: Date): string {
  const aside = `${path}${CORRUPT_MARK}${now.toISOString().replace(/[:.]/g, "")}`;
  renameSync(path, aside);
  return aside;
}
