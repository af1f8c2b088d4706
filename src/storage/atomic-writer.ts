/**
 * The kubelet's atomic writer (pkg/volume/util/atomic_writer.go): a volume's files live in a timestamped directory
 * `..2026_12_06_22_00_00.123456789`; `..data` is a symlink to it, replaced by one rename(2); the names users see
 * are symlinks `key -> ..data/key`. A reader therefore sees the whole old payload or the whole new one, never a
 * half-written file, and updates of a ConfigMap or Secret reach a running container (a subPath mount binds the
 * file itself, so it keeps the old content, as in Kubernetes).
 *
 * planWrite decides (pure: what is there, what is wanted → steps); writeAtomically reads the directory and
 * applies the plan. Paths of the payload are checked here too (no absolute path, no `..`, not starting with
 * `..`): the writer never writes outside its directory whatever its caller passes.
 */
import { randomInt } from "node:crypto";
import { promises as fsp } from "node:fs";
import { dirname, join, posix } from "node:path";

export const DATA_DIR = "..data";
const DATA_TMP = "..data_tmp";
const TS_DIR = /^\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\.\d+$/;

/** One file of a volume: its bytes and its permission bits. */
export interface FileProjection {
  data: Buffer;
  mode: number;
}

export type Payload = Map<string, FileProjection>;

/** What is in the volume directory now. */
export interface CurrentState {
  /** The directory `..data` points to, if any. */
  dataDir?: string;
  /** The files under it (relative paths), with their bytes and mode. */
  files: Payload;
  /** Top-level entries that are not `..`-prefixed (the user-visible names). */
  visible: string[];
  /** Timestamped directories `..data` does not point to (left by a write that was interrupted). */
  stale: string[];
}

export interface WritePlan {
  /** false: the payload is what is there; nothing is written. */
  write: boolean;
  /** The new timestamped directory's name. */
  newDir: string;
  files: Payload;
  /** Top-level symlinks to make (`name -> ..data/name`). */
  link: string[];
  /** User-visible names of paths the payload no longer has. */
  unlink: string[];
  /** Old timestamped directories, removed after the swap. */
  removeDirs: string[];
}

/** validatePayload: cleans each path and refuses the ones that could leave the directory. */
export function validatePayload(payload: Payload): Payload {
  const out: Payload = new Map();
  for (const [p, f] of payload) {
    if (p === "") throw new Error("invalid path: must not be empty");
    if (p.startsWith("/")) throw new Error(`invalid path: must be relative path: ${p}`);
    if (p.length > 4096) throw new Error(`invalid path: must be less than or equal to 4096 characters`);
    if (p.split("/").some((seg) => seg.length > 255)) throw new Error(`invalid path: ${p}: a path element is longer than 255 characters`);
    if (p.split("/").includes("..")) throw new Error(`invalid path: must not contain '..': ${p}`);
    if (p.startsWith("..")) throw new Error(`invalid path: must not start with '..': ${p}`);
    if (!Number.isInteger(f.mode) || f.mode < 0 || f.mode > 0o777) throw new Error(`invalid mode ${f.mode} for ${p}`);
    out.set(posix.normalize(p), f);
  }
  return out;
}

/** The timestamped directory name for `now`, with the random suffix os.MkdirTemp adds. */
export function timestampDirName(now: Date, suffix: number): string {
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  const ts = `${now.getUTCFullYear()}_${p(now.getUTCMonth() + 1)}_${p(now.getUTCDate())}_${p(now.getUTCHours())}_${p(now.getUTCMinutes())}_${p(now.getUTCSeconds())}`;
  return `..${ts}.${suffix}`;
}

/** Decides what a write of `payload` does to a directory in state `cur`. Pure. */
export function planWrite(cur: CurrentState, payload: Payload, newDir: string): WritePlan {
  const files = validatePayload(payload);
  const top = (p: string) => p.split("/")[0];
  const wanted = new Set([...files.keys()].map(top));
  const same =
    cur.dataDir !== undefined &&
    cur.files.size === files.size &&
    [...files].every(([p, f]) => {
      const old = cur.files.get(p);
      return old !== undefined && old.mode === f.mode && old.data.equals(f.data);
    });
  const visible = new Set(cur.visible);
  return {
    write: !same,
    newDir,
    files,
    link: [...wanted].filter((n) => !visible.has(n)).sort(),
    unlink: cur.visible.filter((n) => !wanted.has(n)).sort(),
    removeDirs: [...cur.stale, ...(same || !cur.dataDir ? [] : [cur.dataDir])],
  };
}

/** Reads the current state of a volume directory written by this writer (an empty one is fine). */
export async function readState(target: string): Promise<CurrentState> {
  // Fails closed: only a missing directory or ..data link means "nothing written yet"; any other error stops the
  // write rather than have it plan removals from a partial picture.
  const entries = await fsp.readdir(target).catch((e: NodeJS.ErrnoException) => {
    if (e.code === "ENOENT") return [] as string[];
    throw e;
  });
  const visible = entries.filter((e) => !e.startsWith(".."));
  const dataDir = await fsp.readlink(join(target, DATA_DIR)).catch((e: NodeJS.ErrnoException) => {
    if (e.code === "ENOENT") return undefined;
    throw e;
  });
  const ours = dataDir && TS_DIR.test(dataDir) ? dataDir : undefined;
  const files: Payload = new Map();
  if (ours) await readTree(join(target, ours), "", files);
  const stale = entries.filter((e) => TS_DIR.test(e) && e !== ours);
  return { dataDir: ours, files, visible, stale };
}

async function readTree(root: string, rel: string, out: Payload): Promise<void> {
  for (const d of await fsp.readdir(join(root, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${d.name}` : d.name;
    if (d.isDirectory()) await readTree(root, p, out);
    else if (d.isFile()) {
      const full = join(root, p);
      const st = await fsp.lstat(full);
      out.set(p, { data: await fsp.readFile(full), mode: st.mode & 0o777 });
    }
  }
}

/**
 * Writes `payload` into `target` atomically (the steps of Write in atomic_writer.go). `setPerms` runs on the new
 * timestamped directory before it becomes visible (fsGroup ownership). Returns whether anything changed.
 */
export async function writeAtomically(
  target: string,
  payload: Payload,
  opts: { now?: Date; setPerms?: (dir: string) => Promise<void> } = {},
): Promise<boolean> {
  const cur = await readState(target);
  const plan = planWrite(cur, payload, timestampDirName(opts.now ?? new Date(), randomInt(1_000_000_000)));
  if (plan.write) {
    const dir = join(target, plan.newDir);
    await fsp.mkdir(dir, { mode: 0o755 });
    await fsp.chmod(dir, 0o755);
    for (const [p, f] of plan.files) {
      const file = join(dir, p);
      await fsp.mkdir(dirname(file), { recursive: true, mode: 0o755 });
      // O_EXCL in a directory we just made: nothing can be there to follow.
      await fsp.writeFile(file, f.data, { mode: f.mode, flag: "wx" });
      await fsp.chmod(file, f.mode); // the umask does not decide the mode
    }
    await opts.setPerms?.(dir);
    const tmp = join(target, DATA_TMP);
    await fsp.rm(tmp, { force: true });
    await fsp.symlink(plan.newDir, tmp);
    await fsp.rename(tmp, join(target, DATA_DIR));
  }
  for (const name of plan.link) await fsp.symlink(posix.join(DATA_DIR, name), join(target, name));
  for (const name of plan.unlink) await fsp.rm(join(target, name), { force: true });
  for (const d of plan.removeDirs) await fsp.rm(join(target, d), { recursive: true, force: true });
  return plan.write || plan.link.length > 0 || plan.unlink.length > 0;
}
