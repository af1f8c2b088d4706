/**
 * The one resolver of a path inside an image root, as the kernel resolves it inside a chroot: components one by one,
 * `..` clamped at the root, every symlink met (in a parent or at the end) followed with its target read as data —
 * an absolute target restarting at the root, a relative one continuing where it was — at most 40 links
 * (MAXSYMLINKS), and a non-directory followed by more components an ENOTDIR. Nothing is joined to a host path before
 * it has been resolved this way, so no image name can reach outside its root (shared reference images.md: symlink,
 * `..` and absolute-link escapes).
 *
 * How a component is looked up is the caller's: one layer directory being unpacked (unpack.ts, which also makes
 * missing parents), or the merged view of an image's layers with overlayfs' whiteouts (image-root.ts).
 */
import type { Stats } from "node:fs";

/** Symlinks followed while resolving one path before giving up, as the kernel's MAXSYMLINKS. */
export const MAX_LINKS = 40;

export interface RootEntry {
  /** Where the entry is on the host. */
  host: string;
  st: Stats;
}

export interface RootView {
  /** The entry at `comps` (a path below the root whose parents are resolved directories), or undefined when absent. */
  entry(comps: string[]): Promise<RootEntry | undefined>;
  /** Makes the missing directory `comps` (parents exist); without it a missing component ends the walk. */
  mkdir?(comps: string[]): Promise<RootEntry>;
}

export type Resolved =
  /** The entry the path names (final symlinks followed), at `comps` below the root; `comps` is [] for the root itself. */
  | { kind: "found"; comps: string[]; entry?: RootEntry }
  /** A component is absent: `comps` is where it would be. */
  | { kind: "missing"; comps: string[] }
  /** A component that is not a directory has more components after it. */
  | { kind: "notdir"; comps: string[] };

export class SymlinkLoopError extends Error {
  constructor(path: string) {
    super(`"${path}": too many levels of symbolic links`);
    this.name = "SymlinkLoopError";
  }
}

/** Resolves `path` (a string or its components) inside the root `view` describes. */
export async function resolveInRoot(path: string | string[], view: RootView, readlink: (host: string) => Promise<string>): Promise<Resolved> {
  const pending = typeof path === "string" ? path.split("/") : [...path];
  const shown = typeof path === "string" ? path : path.join("/");
  let cur: string[] = [];
  let last: RootEntry | undefined;
  let links = 0;
  const more = () => pending.some((p) => p !== "" && p !== ".");
  while (pending.length) {
    const c = pending.shift()!;
    if (c === "" || c === ".") continue;
    if (c === "..") {
      cur.pop(); // at the root, ".." is the root
      last = undefined;
      continue;
    }
    const next = [...cur, c];
    let entry = await view.entry(next);
    if (!entry) {
      if (!view.mkdir) return { kind: "missing", comps: next };
      entry = await view.mkdir(next);
    }
    if (entry.st.isSymbolicLink()) {
      if (++links > MAX_LINKS) throw new SymlinkLoopError(shown);
      const target = await readlink(entry.host);
      if (target.startsWith("/")) cur = [];
      pending.unshift(...target.split("/"));
      last = undefined;
      continue;
    }
    if (more() && !entry.st.isDirectory()) return { kind: "notdir", comps: next };
    cur = next;
    last = entry;
  }
  return { kind: "found", comps: cur, ...(last && cur.length ? { entry: last } : {}) };
}
