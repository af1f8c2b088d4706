/**
 * Learns container exits the moment they happen: each monitor renames an exit record into one directory, and an
 * inotify watch on that directory (fs.watch) reports it — no polling, no relist. A scan at start and on demand
 * catches records written while nobody was watching (the daemon was down).
 *
 * Reads fail closed, as the JSON state reader does (sys/json-state.ts): only a record that does not exist means
 * "not exited". A record that cannot be read (EACCES, EMFILE, EIO ...) or does not parse holds its container: it
 * is neither taken as exited nor as lost (which would end it with exit 255 or have its monitor's loss kill it), and
 * the reason is reported once. An unreadable record is read again on every look; a corrupt one is moved aside
 * (ID.json.corrupt-TIME) and stays a marker that holds the container until it is removed.
 */
import { watch, promises as fsp, type FSWatcher } from "node:fs";
import { join } from "node:path";
import { HostError } from "../sys/host-error.js";
import { CORRUPT_MARK, CorruptStateError, moveAside } from "../sys/json-state.js";
import type { ExitRecord } from "./pod-runtime.js";

/** What one look at a container's exit record found. */
export type ExitLook = "exited" | "none" | "held";


export class ExitWatcher {
  private watcher?: FSWatcher;
  private readonly seen = new Set<string>();
  /** Containers whose record could not be read or was corrupt, with why. */
  private readonly held = new Map<string, string>();

  constructor(
    private readonly dir: string,
    private readonly onExit: (containerId: string, record: ExitRecord) => void,
    /** Called when a container is first held (and again if the reason changes). */
    private readonly onHeld: (containerId: string, reason: string) => void,
    private readonly now: () => Date,
  ) {}

  async start(): Promise<void> {
    await fsp.mkdir(this.dir, { recursive: true });
    this.watcher = watch(this.dir, (_event, file) => {
      if (file && file.endsWith(".json")) void this.check(file.slice(0, -5));
    });
    await this.scan();
  }

  stop(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }

  /** Reads every exit record present now (for exits that happened while nobody watched). */
  async scan(): Promise<void> {
    let files: string[];
    try {
      files = await fsp.readdir(this.dir);
    } catch (err) {
      // Nothing can be learnt from an unlistable directory; the individual looks (check) still fail closed.
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
      throw new HostError("list", this.dir, "the containers' exit records", err);
    }
    for (const f of files) {
      const mark = f.indexOf(`.json${CORRUPT_MARK}`);
      if (mark > 0) this.hold(f.slice(0, mark), `its exit record was corrupt and was moved aside to ${join(this.dir, f)}`);
    }
    for (const f of files) if (f.endsWith(".json")) await this.check(f.slice(0, -5));
  }

  /** Looks at one container's exit record; reports an exit once. */
  async check(id: string): Promise<ExitLook> {
    if (this.seen.has(id)) return "exited";
    let record: ExitRecord | undefined;
    try {
      record = await this.read(id);
    } catch (err) {
      if (!(err instanceof HostError || err instanceof CorruptStateError)) throw err;
      this.hold(id, err instanceof CorruptStateError ? this.setAside(err) : err.message);
      return "held";
    }
    if (!record) return this.held.has(id) ? "held" : "none";
    this.held.delete(id);
    if (this.seen.has(id)) return "exited";
    this.seen.add(id);
    this.onExit(id, record);
    return "exited";
  }

  /** Why the container is held, if it is. */
  heldReason(id: string): string | undefined {
    return this.held.get(id);
  }

  /**
   * A container's exit record, read again whether or not it was reported (the resync's second look); undefined
   * only when there is none. Throws HostError when it cannot be read and CorruptStateError when it does not parse.
   */
  async read(id: string): Promise<ExitRecord | undefined> {
    const path = join(this.dir, `${id}.json`);
    let text: string;
    try {
      text = await fsp.readFile(path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw new HostError("read", path, `container ${id}'s exit record`, err);
    }
    try {
      return JSON.parse(text) as ExitRecord;
    } catch (err) {
      throw new CorruptStateError(path, err);
    }
  }

  /** Removes a container's exit record once the container itself is removed. */
  async forget(id: string): Promise<void> {
    this.seen.delete(id);
    this.held.delete(id);
    await fsp.rm(join(this.dir, `${id}.json`), { force: true });
  }

  private hold(id: string, reason: string): void {
    if (this.held.get(id) === reason) return;
    this.held.set(id, reason);
    this.onHeld(id, reason);
  }

  private setAside(err: CorruptStateError): string {
    try {
      return `${err.message}; moved aside to ${moveAside(err.path, this.now())}`;
    } catch (moveErr) {
      return `${err.message}; it could not be moved aside (${(moveErr as Error).message})`;
    }
  }
}
