/**
 * The node's images: one record per image under DIR/records/<id>.json (id = the hex of its config digest, as
 * Docker and containerd name images), and one file mapping every tag ("docker.io/library/busybox:1.28") to an id.
 * Reads fail closed (sys/json-state.ts): only a missing file means "none"; an unreadable or corrupt one throws, so
 * no caller can take a damaged store for an empty one and pull over, or garbage-collect, what is there.
 * Writes within this process are serialised; each replaces its file atomically.
 */
import { promises as fsp, readdirSync } from "node:fs";
import { join } from "node:path";
import type { ImageConfig } from "../../api/image.js";
import { readJsonState, writeJsonState } from "../../sys/json-state.js";
import { parseDigest } from "./layer-path.js";
import type { LayerDescriptor } from "./layer-store.js";

export interface ImageRecord {
  /** Hex of the config digest. */
  id: string;
  /** The manifest this image was pulled or built as ("sha256:…"). */
  manifestDigest: string;
  /** "repository@sha256:…" for every registry it came from. */
  repoDigests: string[];
  /** Base layer first, as the manifest lists them. */
  layers: LayerDescriptor[];
  config: ImageConfig;
  created: string;
  /** Bytes of the manifest, config and layer blobs (what the kubelet's "Image size" reports, as containerd's). */
  size: number;
  /** Set for images made on this node (built-in busybox, --from-host): no registry has them. */
  local?: boolean;
}

export class ImageRecords {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(readonly dir: string) {}

  private get tagsFile(): string {
    return join(this.dir, "repositories.json");
  }

  private recordFile(id: string): string {
    return join(this.dir, "records", `${parseDigest(`sha256:${id}`, "image id").hex}.json`);
  }

  /** Runs `fn` after every earlier write of this process (a tag file update is read-modify-write). */
  serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.chain.then(fn, fn);
    this.chain = p.catch(() => undefined);
    return p;
  }

  tags(): Record<string, string> {
    return readJsonState<Record<string, string>>(this.tagsFile, "the image store") ?? {};
  }

  writeTags(tags: Record<string, string>): void {
    writeJsonState(this.tagsFile, tags, { pretty: true });
  }

  get(id: string): ImageRecord | undefined {
    return readJsonState<ImageRecord>(this.recordFile(id), "the image store");
  }

  put(r: ImageRecord): void {
    writeJsonState(this.recordFile(r.id), r, { pretty: true });
  }

  async remove(id: string): Promise<void> {
    await fsp.rm(this.recordFile(id), { force: true });
  }

  /** Every image record, tagged or not. */
  all(): ImageRecord[] {
    let names: string[];
    try {
      names = readdirSync(join(this.dir, "records"));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
      names = [];
    }
    const out: ImageRecord[] = [];
    for (const n of names) {
      const m = /^([a-f0-9]{64})\.json$/.exec(n);
      const r = m ? this.get(m[1]) : undefined;
      if (r) out.push(r);
    }
    return out;
  }
}
