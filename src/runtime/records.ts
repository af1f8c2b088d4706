/**
 * The runtime's records of sandboxes and containers: in memory for the hot path, persisted as one JSON file each
 * under the pod directory (atomically) so a restarted daemon knows what it had running.
 *
 * Loading fails closed. A record that does not exist means the runtime never finished making that pod or
 * container (the orphan sweep removes what it left). A record that exists but cannot be read, or does not parse,
 * means nothing about the pod's processes: the pod is *held* — left out of the records and out of the sweep, its
 * processes, cgroups, mounts and files untouched — and every operation on it is refused with the reason. A corrupt
 * record is moved aside (FILE.corrupt-TIME) and stays a marker: the pod remains held on later starts until a person
 * removes the pod's directory (or runs `nodelet reset`).
 */
import { promises as fsp } from "node:fs";
import { join } from "node:path";
import { HostError } from "../sys/host-error.js";
import type { Pod } from "../api/types.js";
import { CORRUPT_MARK, CorruptStateError, moveAside, readJsonState, writeJsonState } from "../sys/json-state.js";
import type { Layout } from "./layout.js";
import type { ContainerRecord, SandboxRecord } from "./pod-runtime.js";

/** A pod the runtime will not act on, because one of its records could not be read. */
export interface HeldPod {
  reason: string;
  /** Container ids found on disk for it (their directories), kept out of the sweep too. */
  containerIds: string[];
}

/** An operation refused because the pod's record could not be read (see HeldPod). */
export class HeldPodError extends Error {
  constructor(
    readonly podUid: string,
    reason: string,
  ) {
    super(`pod ${podUid} is held by the runtime: ${reason}; nodelet leaves its processes, cgroups and files alone`);
    this.name = "HeldPodError";
  }
}

export class RuntimeRecords {
  readonly sandboxes = new Map<string, SandboxRecord>();
  readonly containers = new Map<string, ContainerRecord>();
  readonly held = new Map<string, HeldPod>();
  /** Records changed in memory whose write failed, by "s/UID" or "c/ID" (saveLater). */
  private readonly unsaved = new Map<string, { kind: "sandbox"; record: SandboxRecord } | { kind: "container"; record: ContainerRecord }>();

  constructor(private readonly layout: Layout) {}

  async saveSandbox(s: SandboxRecord): Promise<void> {
    this.sandboxes.set(s.podUid, s);
    writeJsonState(this.layout.podStateFile(s.podUid), s);
    this.unsaved.delete(`s/${s.podUid}`);
  }

  /**
   * A state change of a record that already exists (a container exited, a sandbox stopped) happened whatever the
   * disk says: it is applied in memory at once, and if its write fails (a full disk) `report` says so and
   * saveUnsaved() writes it again later (the runtime's resync). A daemon restarted meanwhile reads the older state
   * and finds the change again (the exit record, the dead process). Creating a record still fails its operation.
   */
  async saveLater(r: { kind: "sandbox"; record: SandboxRecord } | { kind: "container"; record: ContainerRecord }, report?: (msg: string) => void): Promise<void> {
    try {
      if (r.kind === "sandbox") await this.saveSandbox(r.record);
      else await this.saveContainer(r.record);
    } catch (err) {
      this.unsaved.set(r.kind === "sandbox" ? `s/${r.record.podUid}` : `c/${r.record.id}`, r);
      report?.(`cannot write the ${r.kind} record of pod ${r.record.podUid} (${err instanceof Error ? err.message : String(err)}); kept in memory, written again at the next resync`);
    }
  }

  /** Writes the records whose last write failed; those that fail again stay for the next call. */
  async saveUnsaved(): Promise<void> {
    for (const [key, r] of [...this.unsaved]) {
      const current = r.kind === "sandbox" ? this.sandboxes.get(r.record.podUid) : this.containers.get(r.record.id);
      if (current !== r.record) {
        this.unsaved.delete(key); // removed or replaced since: its own write covers it
        continue;
      }
      try {
        if (r.kind === "sandbox") await this.saveSandbox(r.record);
        else await this.saveContainer(r.record);
      } catch {
        // still no room: kept for the next resync
      }
    }
  }

  /** The pod spec the sandbox was made for: needed to tear down volumes of a pod deleted while we were down. */
  async savePodSpec(pod: Pod): Promise<void> {
    writeJsonState(join(this.layout.podDir(pod.metadata.uid!), "pod.json"), pod);
  }

  async loadPodSpec(uid: string): Promise<Pod | undefined> {
    return readJsonState<Pod>(join(this.layout.podDir(uid), "pod.json"), `pod ${uid}`);
  }

  /** Persists the record; an environment with Secret values goes to the pod's tmpfs, never into the file on disk. */
  async saveContainer(c: ContainerRecord): Promise<void> {
    this.containers.set(c.id, c);
    if (c.secretEnv) {
      writeJsonState(this.layout.containerEnvFile(c.podUid, c.id), c.process.env, { mode: 0o600 });
      writeJsonState(this.layout.containerStateFile(c.podUid, c.id), { ...c, process: { ...c.process, env: [] } });
    } else {
      writeJsonState(this.layout.containerStateFile(c.podUid, c.id), c);
    }
    this.unsaved.delete(`c/${c.id}`);
  }

  forgetContainer(id: string): void {
    this.containers.delete(id);
  }

  forgetSandbox(uid: string): void {
    this.sandboxes.delete(uid);
    for (const [id, c] of this.containers) if (c.podUid === uid) this.containers.delete(id);
  }

  containersOf(uid: string): ContainerRecord[] {
    return [...this.containers.values()].filter((c) => c.podUid === uid);
  }

  /** Throws HeldPodError if the pod is held. */
  checkNotHeld(uid: string): void {
    const h = this.held.get(uid);
    if (h) throw new HeldPodError(uid, h.reason);
  }

  /**
   * Reads every persisted record (daemon start). Returns the pods it holds, each with why, for the log. Throws
   * when the pods directory itself cannot be listed: then nothing is known and nothing may be swept.
   */
  async load(now: Date): Promise<Map<string, HeldPod>> {
    for (const uid of await listDir(this.layout.podsDir)) {
      let ids: string[] = [];
      try {
        ids = await listDir(join(this.layout.podDir(uid), "containers"));
        await this.loadPod(uid, ids);
      } catch (err) {
        if (!(err instanceof HostError || err instanceof CorruptStateError)) throw err;
        this.hold(uid, ids, err instanceof CorruptStateError ? corruptReason(err, now) : err.message);
      }
    }
    return this.held;
  }

  private async loadPod(uid: string, ids: string[]): Promise<void> {
    const marker = await findCorruptMarker(this.layout.podDir(uid), ids);
    if (marker) {
      this.hold(uid, ids, `a corrupt record was moved aside to ${marker} earlier`);
      return;
    }
    const s = readJsonState<SandboxRecord>(this.layout.podStateFile(uid), `pod ${uid}`);
    const found: ContainerRecord[] = [];
    for (const id of ids) {
      const c = readJsonState<ContainerRecord>(this.layout.containerStateFile(uid, id), `pod ${uid}`);
      // The tmpfs does not outlive a reboot (nor do the containers): then exec runs with an empty environment.
      if (c?.secretEnv) c.process.env = readJsonState<string[]>(this.layout.containerEnvFile(uid, id), `pod ${uid}`) ?? [];
      if (c) found.push(c);
    }
    if (s) this.sandboxes.set(uid, s);
    for (const c of found) this.containers.set(c.id, c);
  }

  private hold(uid: string, containerIds: string[], reason: string): void {
    this.sandboxes.delete(uid);
    for (const id of containerIds) this.containers.delete(id);
    this.held.set(uid, { reason, containerIds });
  }
}

/** Moves the corrupt file aside and says where. */
function corruptReason(err: CorruptStateError, now: Date): string {
  try {
    return `${err.message}; moved aside to ${moveAside(err.path, now)}`;
  } catch (moveErr) {
    return `${err.message}; it could not be moved aside (${(moveErr as Error).message})`;
  }
}

/** A record moved aside by an earlier start, in the pod directory or one of its container directories. */
async function findCorruptMarker(podDir: string, ids: string[]): Promise<string | undefined> {
  for (const dir of [podDir, ...ids.map((id) => join(podDir, "containers", id))]) {
    const hit = (await listDir(dir)).find((f) => f.includes(CORRUPT_MARK));
    if (hit) return join(dir, hit);
  }
  return undefined;
}

/** A directory's entries; a directory that does not exist is empty, any other failure is an error. */
async function listDir(dir: string): Promise<string[]> {
  try {
    return await fsp.readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw new HostError("list", dir, "", err);
  }
}
