/**
 * The runtime's records of sandboxes and containers: in memory for the hot path, persisted as one JSON file each
 * under the pod directory (atomically) so a restarted daemon knows what it had running.
 */
import { promises as fsp } from "node:fs";
import { join } from "node:path";
import type { Pod } from "../api/types.js";
import { readJson, writeJsonAtomic } from "./json-file.js";
import type { Layout } from "./layout.js";
import type { ContainerRecord, SandboxRecord } from "./pod-runtime.js";

export class RuntimeRecords {
  readonly sandboxes = new Map<string, SandboxRecord>();
  readonly containers = new Map<string, ContainerRecord>();

  constructor(private readonly layout: Layout) {}

  async saveSandbox(s: SandboxRecord): Promise<void> {
    this.sandboxes.set(s.podUid, s);
    await writeJsonAtomic(this.layout.podStateFile(s.podUid), s);
  }

  /** The pod spec the sandbox was made for: needed to tear down volumes of a pod deleted while we were down. */
  async savePodSpec(pod: Pod): Promise<void> {
    await writeJsonAtomic(join(this.layout.podDir(pod.metadata.uid!), "pod.json"), pod);
  }

  loadPodSpec(uid: string): Promise<Pod | undefined> {
    return readJson<Pod>(join(this.layout.podDir(uid), "pod.json"));
  }

  async saveContainer(c: ContainerRecord): Promise<void> {
    this.containers.set(c.id, c);
    await writeJsonAtomic(this.layout.containerStateFile(c.podUid, c.id), c);
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

  /** Reads every persisted record (daemon start). Pod directories without a sandbox record are reported too. */
  async load(): Promise<{ orphanPodDirs: string[] }> {
    const orphanPodDirs: string[] = [];
    const uids = await fsp.readdir(this.layout.podsDir).catch(() => [] as string[]);
    for (const uid of uids) {
      const s = await readJson<SandboxRecord>(this.layout.podStateFile(uid));
      if (s) this.sandboxes.set(uid, s);
      else orphanPodDirs.push(uid);
      const ids = await fsp.readdir(join(this.layout.podDir(uid), "containers")).catch(() => [] as string[]);
      for (const id of ids) {
        const c = await readJson<ContainerRecord>(this.layout.containerStateFile(uid, id));
        if (c) this.containers.set(c.id, c);
      }
    }
    return { orphanPodDirs };
  }
}
