/**
 * The node's images, as the runtime and the node API see them: OCI images whose layers are unpacked once each
 * (images/store/) and stacked as overlay lower directories for every container of the image, never copied.
 * Images come from registries or archives (images/pull.ts), or are built here: the built-in `busybox` (from
 * Debian's busybox-static) and `image build --from-host` (host binaries plus exactly the libraries their ELF
 * headers name) — each a single-layer OCI image with a real config, manifest and diffID, so they can be saved and
 * pushed like any other.
 *
 * Layout under ROOT/images: blobs/sha256/<hex> (manifests, configs, layer archives), layers/<diffID hex>/ (an
 * unpacked layer), records/<id>.json, repositories.json ("name:tag" → id), tmp/. A store of the earlier
 * one-directory-per-image form (sha256/<id>/rootfs + tags.json) is converted at start (migrateLegacy).
 */
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, existsSync, promises as fsp } from "node:fs";
import { dirname, join } from "node:path";
import { FieldError } from "../api/errors.js";
import type { Image, ImageConfig } from "../api/image.js";
import { BlobStore } from "../images/store/blob-store.js";
import { ImageRecords, type ImageRecord } from "../images/store/image-records.js";
import { DEFAULT_LAYER_LIMITS, LayerStore, type LayerDescriptor } from "../images/store/layer-store.js";
import { DEBIAN_IMAGE_CONFIG, hostAptSources, mmdebstrapArgv, validateDebianPackages } from "../images/debian-build.js";
import { readImageFile } from "../images/image-root.js";
import { nodePlatform } from "../images/platform.js";
import { formatReference, InvalidImageNameError, parseImageReference } from "../images/reference.js";
import { readJsonState } from "../sys/json-state.js";
import type { Runner } from "../sys/runner.js";
import { sharedLibraries } from "./elf-libraries.js";
import { populateBaseDirs, copyHostPath } from "./image-files.js";

const DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
export const BUSYBOX_BINARY = "/bin/busybox";
/** mmdebstrap downloads and installs every package: minutes on a slow mirror, never hours. */
const DEBIAN_BUILD_TIMEOUT_MS = 30 * 60_000;

/**
 * The key an image is stored under: the reference normalised as Docker does (images/reference.ts:
 * "busybox" → "docker.io/library/busybox:latest"). A reference that does not parse is kept as written, so it is
 * simply not found (the kubelet reports InvalidImageName for it before it gets here).
 */
export function normalizeImageRef(ref: string): string {
  try {
    return formatReference(parseImageReference(ref.trim()));
  } catch (err) {
    if (err instanceof InvalidImageNameError) return ref.trim();
    throw err;
  }
}

export class ImageStore {
  readonly blobs: BlobStore;
  readonly layers: LayerStore;
  readonly records: ImageRecords;
  /** Images by reference, as last read: every container start asks, and only this store changes them. */
  private readonly resolved = new Map<string, Image>();
  /** An image's /etc/passwd and /etc/group, read once per image (through its merged layers). */
  private readonly userFiles = new Map<string, Promise<{ passwd: string; group: string }>>();

  constructor(
    readonly root: string,
    readonly runner: Runner,
    maxLayerBytes = DEFAULT_LAYER_LIMITS.maxBytes,
  ) {
    this.blobs = new BlobStore(join(root, "blobs"));
    this.layers = new LayerStore(join(root, "layers"), join(root, "tmp"), this.blobs, runner, { ...DEFAULT_LAYER_LIMITS, maxBytes: maxLayerBytes });
    this.records = new ImageRecords(root);
  }

  /** The image a reference names, or undefined when no such image is on the node. */
  async resolve(ref: string): Promise<Image | undefined> {
    const key = normalizeImageRef(ref);
    const cached = this.resolved.get(key);
    if (cached) return cached;
    const id = this.idOf(key, this.records.tags());
    const record = id ? this.records.get(id) : undefined;
    const image = record ? this.toImage(record, this.records.tags()) : undefined;
    if (image) this.resolved.set(key, image);
    return image;
  }

  /** The record an image reference names ("name:tag", "name@sha256:…", or an id / its 12-character prefix). */
  record(ref: string): ImageRecord | undefined {
    const id = this.idOf(normalizeImageRef(ref), this.records.tags()) ?? this.idByPrefix(ref);
    return id ? this.records.get(id) : undefined;
  }

  /** Whether the node has an image by this reference (synchronous: reads the tag file). */
  has(ref: string): boolean {
    // An unreadable or corrupt tag file throws: "absent" would send a pull whose commit rewrites the tags from nothing.
    return this.idOf(normalizeImageRef(ref), this.records.tags()) !== undefined;
  }

  async list(): Promise<Image[]> {
    const tags = this.records.tags();
    const all = this.records.all();
    return all.map((r) => this.toImage(r, tags)).sort((a, b) => (a.tags[0] ?? "~").localeCompare(b.tags[0] ?? "~") || a.id.localeCompare(b.id));
  }

  /** Every image record (for GC and the CLI). */
  allRecords(): ImageRecord[] {
    return this.records.all();
  }

  /** The lower directories of an image's overlay, top layer first (overlayfs order). */
  lowerDirs(r: Pick<ImageRecord, "layers">): string[] {
    return r.layers.map((l) => this.layers.path(l.diffID)).reverse();
  }

  /** The image's /etc/passwd and /etc/group as its containers see them ("" when missing). */
  async imageUserFiles(image: Image): Promise<{ passwd: string; group: string }> {
    let p = this.userFiles.get(image.id);
    if (!p) {
      const opaque = (dir: string) => this.isOpaque(dir);
      p = Promise.all([
        readImageFile(image.lowerDirs, "/etc/passwd", opaque),
        readImageFile(image.lowerDirs, "/etc/group", opaque),
      ]).then(([passwd, group]) => ({ passwd: passwd ?? "", group: group ?? "" }));
      p.catch(() => this.userFiles.delete(image.id));
      this.userFiles.set(image.id, p);
    }
    return p;
  }

  private async isOpaque(dir: string): Promise<boolean> {
    const r = await this.runner.run(["getfattr", "-h", "--only-values", "-n", "trusted.overlay.opaque", "--", dir], { allowFail: true });
    return r.code === 0 && r.stdout.trim() === "y";
  }

  /**
   * Records an image whose blobs and layers are all in the store, and points `tags` at it (a tag that named another
   * image moves). Returns the image.
   */
  async commit(record: ImageRecord, tags: string[]): Promise<Image> {
    return this.records.serial(async () => {
      const existing = this.records.get(record.id);
      const repoDigests = [...new Set([...(existing?.repoDigests ?? []), ...record.repoDigests])].sort();
      const next = { ...record, repoDigests, created: existing?.created ?? record.created };
      // A re-pull of a present image changes nothing: no record or tag file is rewritten (each write is synced).
      if (!existing || JSON.stringify(existing) !== JSON.stringify(next)) this.records.put(next);
      const all = this.records.tags();
      if (tags.some((t) => all[t] !== record.id)) {
        for (const t of tags) all[t] = record.id;
        this.writeTags(all);
      }
      return this.toImage(this.records.get(record.id)!, all);
    });
  }

  /**
   * Removes what an interrupted write left (a daemon killed mid-pull, mid-import or mid-build): blob temporaries
   * and everything under ROOT/images/tmp. Only at daemon start, before any pull runs: nothing else writes the store
   * then, and collection (which knows only committed, hex-named blobs and layers) never sees these.
   */
  async removeTemporaries(): Promise<void> {
    await this.blobs.removeTemporaries();
    const tmp = join(this.root, "tmp");
    const names = await fsp.readdir(tmp).catch((err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT") return [] as string[];
      throw err;
    });
    for (const n of names) await fsp.rm(join(tmp, n), { recursive: true, force: true });
  }

  /**
   * Builds the built-in busybox image from Debian's busybox-static when it is missing. Tagged busybox:latest and
   * with busybox's own version (busybox:1.35.0, busybox:1.35).
   */
  async ensureBusybox(): Promise<Image> {
    await this.migrateLegacy();
    const existing = await this.resolve("busybox:latest");
    if (existing) return existing;
    const version = await this.busyboxVersion();
    const tags = ["busybox:latest", `busybox:${version}`, `busybox:${version.split(".").slice(0, 2).join(".")}`].map(normalizeImageRef);
    return this.build(tags, { Cmd: ["sh"], Env: [DEFAULT_PATH], WorkingDir: "/" }, async (rootfs) => {
      await populateBaseDirs(rootfs);
      await fsp.mkdir(join(rootfs, "bin"), { recursive: true });
      await fsp.copyFile(BUSYBOX_BINARY, join(rootfs, "bin/busybox"));
      await fsp.chmod(join(rootfs, "bin/busybox"), 0o755);
      const applets = (await this.runner.run([BUSYBOX_BINARY, "--list-full"])).stdout.split("\n").filter(Boolean);
      for (const applet of applets) {
        const link = join(rootfs, applet);
        await fsp.mkdir(dirname(link), { recursive: true });
        await fsp.symlink("/bin/busybox", link).catch((e: NodeJS.ErrnoException) => {
          if (e.code !== "EEXIST") throw e;
        });
      }
    });
  }

  /**
   * `nodelet image build --from-host PATH... --tag NAME`: copies each host path (a binary, or a directory such as a
   * language's standard library) to the same place in a new image, plus the dynamic loader and every library the
   * ELF files among them need, found from their headers (elf-libraries.ts; nothing is run). A library the host
   * lacks is an error naming it. The first path is the default command.
   */
  async buildFromHost(paths: string[], tag: string): Promise<Image> {
    if (paths.length === 0) throw new FieldError("--from-host", "at least one host path is required");
    validateTag(tag);
    const ref = normalizeImageRef(tag);
    for (const p of paths) {
      if (!p.startsWith("/")) throw new FieldError("--from-host", `"${p}" must be an absolute path`);
      await fsp.access(p).catch(() => {
        throw new FieldError("--from-host", `"${p}" does not exist on this host`);
      });
    }
    return this.build([ref], { Cmd: [paths[0]], Env: [DEFAULT_PATH], WorkingDir: "/" }, async (rootfs) => {
      await populateBaseDirs(rootfs);
      for (const p of paths) await copyHostPath(p, rootfs);
      for (const p of paths) {
        if (!(await fsp.stat(p)).isFile()) continue;
        const libs = await sharedLibraries(p).catch((err: Error) => {
          throw new FieldError("--from-host", err.message);
        });
        if (libs.missing.length) {
          throw new FieldError("--from-host", `"${p}" needs ${libs.missing.join(", ")}, which this host does not have`);
        }
        for (const lib of libs.paths) await copyHostPath(lib, rootfs);
      }
    });
  }

  /**
   * `nodelet image build --debian PKG... --tag NAME`: mmdebstrap builds a Debian root from this node's apt sources
   * (images/debian-build.ts) as one tar, which becomes the image's single, uncompressed layer: kept as its blob and
   * unpacked like a pulled layer (path checks, no device nodes, size limits). `etc` is where the host's os-release
   * and apt sources are read (tests give their own).
   */
  async buildDebian(packages: string[], tag: string, etc = "/etc"): Promise<Image> {
    validateDebianPackages(packages);
    validateTag(tag);
    const ref = normalizeImageRef(tag);
    const sources = hostAptSources(etc);
    const tmp = join(this.root, "tmp");
    await fsp.mkdir(tmp, { recursive: true, mode: 0o700 });
    const tarFile = join(tmp, `debian-${randomBytes(8).toString("hex")}.tar`);
    try {
      await this.runner.run(mmdebstrapArgv(packages, sources, tarFile), { timeoutMs: DEBIAN_BUILD_TIMEOUT_MS }).catch((err: Error) => {
        throw new Error(`building a Debian image of ${packages.join(", ")} with mmdebstrap: ${err.message}`);
      });
      const { digest, size } = await fileDigest(tarFile);
      const layer: LayerDescriptor = { digest, diffID: digest, size, mediaType: "application/vnd.oci.image.layer.v1.tar" };
      await this.layers.ensure(layer, async () => createReadStream(tarFile));
      return await this.commitBuilt(layer, DEBIAN_IMAGE_CONFIG, [ref], new Date().toISOString());
    } finally {
      await fsp.rm(tarFile, { force: true });
    }
  }

  /** Removes a tag; the image (and layers no other image has) go when no tag points at it and `inUse` allows. */
  async remove(ref: string, inUse: (id: string) => boolean = () => false): Promise<boolean> {
    return this.records.serial(async () => {
      const tags = this.records.tags();
      const key = normalizeImageRef(ref);
      const id = this.idOf(key, tags) ?? this.idByPrefix(ref);
      if (!id) return false;
      const named = Object.keys(tags).filter((t) => tags[t] === id);
      // By id: every tag goes; by name: that tag.
      for (const t of key in tags ? [key] : named) delete tags[t];
      this.writeTags(tags);
      if (!Object.values(tags).includes(id) && !inUse(id)) await this.deleteImage(id);
      return true;
    });
  }

  /** Image GC: deletes an image with all its tags unless `inUse` says a container has it. Serialised. */
  async deleteUnused(id: string, inUse: (id: string) => boolean): Promise<void> {
    return this.records.serial(async () => {
      if (inUse(id)) return;
      const tags = this.records.tags();
      for (const t of Object.keys(tags)) if (tags[t] === id) delete tags[t];
      this.writeTags(tags);
      await this.deleteImage(id);
    });
  }

  /**
   * Image GC: removes unpacked layers and blobs no image names (left by failed pulls), except `keep` (digests and
   * diffIDs of pulls in progress). Serialised with image changes, so a pull's commit cannot interleave.
   */
  async removeOrphans(keep: Set<string>): Promise<void> {
    return this.records.serial(async () => {
      const records = this.records.all();
      const named = new Set([...keep, ...records.flatMap((r) => [r.manifestDigest, `sha256:${r.id}`, ...r.layers.flatMap((l) => [l.digest, l.diffID])])]);
      for (const diffID of await this.layers.list()) if (!named.has(diffID)) await this.layers.removeDirectory(diffID);
      for (const d of await this.blobs.list()) if (!named.has(d)) await this.blobs.remove(parseHexDigest(d));
    });
  }

  /** Deletes an untagged image's record and the layers and blobs no remaining image refers to. Serialised by the caller. */
  async deleteImage(id: string): Promise<void> {
    const record = this.records.get(id);
    if (!record) return;
    await this.records.remove(id);
    this.userFiles.delete(id);
    const rest = this.records.all();
    const keptLayers = new Set(rest.flatMap((r) => r.layers.map((l) => l.diffID)));
    const keptBlobs = new Set(rest.flatMap((r) => [r.manifestDigest, `sha256:${r.id}`, ...r.layers.map((l) => l.digest)]));
    for (const l of record.layers) if (!keptLayers.has(l.diffID)) await this.layers.remove(l);
    for (const d of [record.manifestDigest, `sha256:${record.id}`]) {
      if (!keptBlobs.has(d)) await this.blobs.remove(parseHexDigest(d));
    }
  }

  /** Builds a single-layer image from a directory `fill` populates; the layer is the directory itself, moved. */
  private async build(tags: string[], config: ImageConfig, fill: (rootfs: string) => Promise<void>): Promise<Image> {
    await fsp.mkdir(join(this.root, "tmp"), { recursive: true, mode: 0o700 });
    const rootfs = join(this.root, "tmp", `build-${randomBytes(8).toString("hex")}`);
    try {
      await fsp.mkdir(rootfs, { mode: 0o755 });
      await fill(rootfs);
      const layer = await this.layers.adoptDirectory(rootfs);
      return await this.commitBuilt(layer, config, tags);
    } finally {
      await fsp.rm(rootfs, { recursive: true, force: true });
    }
  }

  /** Writes the OCI config and manifest of a one-layer image made here, and records it. */
  private async commitBuilt(layer: LayerDescriptor, config: ImageConfig, tags: string[], created = new Date(0).toISOString()): Promise<Image> {
    const ociConfig = {
      created,
      architecture: ociArch(process.arch),
      os: "linux",
      config,
      rootfs: { type: "layers", diff_ids: [layer.diffID] },
    };
    const configBytes = Buffer.from(JSON.stringify(ociConfig));
    const configDigest = sha256(configBytes);
    await this.blobs.put(parseHexDigest(configDigest), configBytes);
    const manifest = {
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: configDigest, size: configBytes.length },
      layers: [{ mediaType: layer.mediaType, digest: layer.digest, size: layer.size }],
    };
    const manifestBytes = Buffer.from(JSON.stringify(manifest));
    const manifestDigest = sha256(manifestBytes);
    await this.blobs.put(parseHexDigest(manifestDigest), manifestBytes);
    return this.commit({
      id: configDigest.slice("sha256:".length),
      manifestDigest,
      repoDigests: [],
      layers: [layer],
      config,
      created: new Date().toISOString(),
      size: manifestBytes.length + configBytes.length + layer.size,
      local: true,
    }, tags);
  }

  /**
   * Converts a store of the earlier form (sha256/<id>/{rootfs,image.json} + tags.json): each image's rootfs is
   * moved (not copied: containers still running have it as their lower directory, and a rename keeps it valid) to
   * become the single layer of an OCI image with the same tags and config.
   */
  async migrateLegacy(): Promise<void> {
    const legacyTags = join(this.root, "tags.json");
    if (!existsSync(legacyTags)) return;
    const tags = readJsonState<Record<string, string>>(legacyTags, "the image store (earlier form)") ?? {};
    for (const id of new Set(Object.values(tags))) {
      const dir = join(this.root, "sha256", id);
      const meta = readJsonState<{ config: ImageConfig; created?: string }>(join(dir, "image.json"), "the image store (earlier form)");
      if (!meta || !existsSync(join(dir, "rootfs"))) continue;
      const layer = await this.layers.adoptDirectory(join(dir, "rootfs"));
      const names = Object.keys(tags).filter((t) => tags[t] === id).map(normalizeImageRef);
      await this.commitBuilt(layer, meta.config, names);
      await fsp.rm(dir, { recursive: true, force: true });
    }
    await fsp.rm(join(this.root, "sha256"), { recursive: true, force: true });
    await fsp.rm(legacyTags, { force: true });
  }

  private idOf(key: string, tags: Record<string, string>): string | undefined {
    if (tags[key]) return tags[key];
    if (!key.includes("@")) return undefined;
    // name@digest: the image pulled from that repository with that manifest digest.
    return this.records.all().find((r) => r.repoDigests.includes(key))?.id;
  }

  private idByPrefix(ref: string): string | undefined {
    const hex = ref.replace(/^sha256:/, "");
    if (!/^[a-f0-9]{12,64}$/.test(hex)) return undefined;
    const ids = [...new Set(Object.values(this.records.tags()))].filter((id) => id.startsWith(hex));
    return ids.length === 1 ? ids[0] : undefined;
  }

  private writeTags(tags: Record<string, string>): void {
    this.resolved.clear();
    this.records.writeTags(tags);
  }

  private toImage(r: ImageRecord, tags: Record<string, string>): Image {
    return {
      id: r.id,
      tags: Object.keys(tags).filter((t) => tags[t] === r.id).sort(),
      repoDigests: r.repoDigests,
      created: r.created,
      size: r.size,
      lowerDirs: this.lowerDirs(r),
      config: r.config,
      local: r.local === true,
    };
  }

  private async busyboxVersion(): Promise<string> {
    const out = await this.runner.run([BUSYBOX_BINARY], { allowFail: true });
    const m = /BusyBox v(\d+\.\d+\.\d+)/.exec(out.stdout + out.stderr);
    return m ? m[1] : "0.0.0";
  }
}

function sha256(data: Buffer): string {
  return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}

function parseHexDigest(d: string): { algorithm: "sha256"; hex: string } {
  const m = /^sha256:([a-f0-9]{64})$/.exec(d);
  if (!m) throw new Error(`invalid digest ${JSON.stringify(d)}`);
  return { algorithm: "sha256", hex: m[1] };
}

/** OCI's architecture names for Node's (the platform selector's mapping). */
export function ociArch(arch: string): string {
  return nodePlatform(arch, []).architecture;
}

/** A file's sha256 digest and size, read as a stream. */
async function fileDigest(path: string): Promise<{ digest: string; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { digest: `sha256:${hash.digest("hex")}`, size };
}

function validateTag(tag: string): void {
  if (!/^(?:[a-zA-Z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$/.test(tag)) {
    throw new FieldError("--tag", `invalid reference format "${tag}": repository names are lowercase, tags [A-Za-z0-9_.-]`);
  }
}
