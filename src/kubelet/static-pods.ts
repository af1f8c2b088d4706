/**
 * Static pods: the kubelet's file source (pkg/kubelet/config/file.go and common.go applyDefaults). Every file in
 * the manifest directory (--manifests, like staticPodPath; hidden files skipped) holds pods; each is defaulted and
 * validated as the API server would, named `<name>-<nodeName>`, bound to this node, and given a uid that hashes
 * its content with the node and the file — so editing a file makes new pods (replacing the old ones) and a restart
 * finds the same uids (and re-adopts, not restarts, their containers). The directory is watched (inotify) and
 * rescanned periodically; a file that does not parse or validate is reported once per content and skipped, the
 * others still run.
 */
import { createHash } from "node:crypto";
import { promises as fsp, watch, type FSWatcher } from "node:fs";
import { join } from "node:path";
import { admitCreate } from "../api/admission.js";
import { decodeManifests } from "../api/manifest.js";
import { admitPodPriority, SYSTEM_PRIORITY_CLASSES } from "../api/priority-class.js";
import type { Pod } from "../api/types.js";
import type { Clock } from "./clock.js";
import { HASH_ANNOTATION, SEEN_ANNOTATION, SOURCE_ANNOTATION } from "./pod-objects.js";

/** Turns one manifest file into this node's static pods; throws an Error saying what is wrong. */
export function staticPodsFromManifest(text: string, path: string, nodeName: string, seen: string): Pod[] {
  const objects = decodeManifests(text, path);
  return objects.map((obj, i) => {
    if (obj.kind !== "Pod") throw new Error(`${path}: document ${i + 1}: a static pod manifest holds Pods, not ${obj.kind}`);
    if (!obj.metadata?.name) throw new Error(`${path}: document ${i + 1}: metadata.name: Required value: a static pod needs a name`);
    const pod = admitCreate(obj as Pod, { nodeName });
    delete pod.metadata.uid; // admission's random uid: a static pod's is the hash below
    // The kubelet knows only the built-in classes: another class leaves the priority unset, as before the API has it.
    admitPodPriority(pod, (name) => SYSTEM_PRIORITY_CLASSES.find((c) => c.metadata.name === name), () => []);
    pod.spec.nodeName = nodeName;
    const hash = createHash("md5").update(JSON.stringify(pod)).update(`host:${nodeName}`).update(`file:${path}#${i}`).digest("hex");
    // The kubelet uses the bare hex hash as the uid; shaped as a UUID it fits the runtime's per-pod layout.
    const uid = `${hash.slice(0, 8)}-${hash.slice(8, 12)}-${hash.slice(12, 16)}-${hash.slice(16, 20)}-${hash.slice(20, 32)}`;
    pod.metadata = {
      ...pod.metadata,
      name: `${pod.metadata.name}-${nodeName}`,
      namespace: pod.metadata.namespace || "default",
      uid,
      annotations: { ...pod.metadata.annotations, [HASH_ANNOTATION]: uid, [SOURCE_ANNOTATION]: "file", [SEEN_ANNOTATION]: seen },
    };
    return pod;
  });
}

export interface StaticPodSourceOptions {
  dir: string;
  nodeName: string;
  clock: Clock;
  /** The complete set of static pods, after every change. */
  onChange: (pods: Pod[]) => void;
  /** A file that cannot be used (reported once per content). */
  onError: (file: string, message: string) => void;
  /** Periodic rescan (the kubelet's --file-check-frequency, 20 s). */
  rescanMs?: number;
}

interface FileState {
  text: string;
  pods: Pod[];
}

export class StaticPodSource {
  private readonly files = new Map<string, FileState>();
  private watcher?: FSWatcher;
  private timer?: { cancel(): void };
  private debounce?: { cancel(): void };
  private scanning?: Promise<void>;

  constructor(private readonly o: StaticPodSourceOptions) {}

  /** Creates the directory if missing (so files can be dropped in), reads it once and starts watching it. */
  async start(): Promise<void> {
    await fsp.mkdir(this.o.dir, { recursive: true, mode: 0o755 }).catch(() => undefined);
    await this.scan();
    try {
      this.watcher = watch(this.o.dir, () => this.soon());
      this.watcher.on("error", () => undefined);
    } catch {
      // No directory yet: the periodic rescan notices when one appears.
    }
    this.schedule();
  }

  stop(): void {
    this.watcher?.close();
    this.timer?.cancel();
    this.debounce?.cancel();
  }

  /** The static pods currently defined. */
  pods(): Pod[] {
    return [...this.files.values()].flatMap((f) => f.pods);
  }

  private schedule(): void {
    this.timer = this.o.clock.setTimeout(() => {
      void this.scan().finally(() => this.schedule());
    }, this.o.rescanMs ?? 20_000);
  }

  /** Editors write a file in several steps: rescan shortly after the last change. */
  private soon(): void {
    this.debounce?.cancel();
    this.debounce = this.o.clock.setTimeout(() => void this.scan(), 100);
  }

  async scan(): Promise<void> {
    while (this.scanning) await this.scanning;
    this.scanning = this.readAll().finally(() => (this.scanning = undefined));
    await this.scanning;
  }

  private async readAll(): Promise<void> {
    const names = (await fsp.readdir(this.o.dir, { withFileTypes: true }).catch(() => []))
      .filter((e) => (e.isFile() || e.isSymbolicLink()) && !e.name.startsWith("."))
      .map((e) => e.name)
      .sort();
    let changed = false;
    for (const gone of [...this.files.keys()].filter((f) => !names.includes(f))) changed = this.files.delete(gone) || changed;
    for (const name of names) changed = (await this.readFile(name)) || changed;
    if (changed) this.o.onChange(this.pods());
  }

  /** Re-reads one file; returns whether its pods changed. A broken file keeps no pods. */
  private async readFile(name: string): Promise<boolean> {
    const path = join(this.o.dir, name);
    const text = await fsp.readFile(path, "utf8").catch(() => undefined);
    if (text === undefined) return this.files.delete(name);
    const prev = this.files.get(name);
    if (prev?.text === text) return false;
    let pods: Pod[] = [];
    try {
      pods = staticPodsFromManifest(text, path, this.o.nodeName, new Date(this.o.clock.now()).toISOString());
    } catch (err) {
      this.o.onError(path, err instanceof Error ? err.message : String(err));
    }
    this.files.set(name, { text, pods });
    const uids = (ps: Pod[] | undefined) => (ps ?? []).map((p) => p.metadata.uid).join(",");
    return uids(prev?.pods) !== uids(pods);
  }
}
