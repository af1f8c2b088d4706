/**
 * Local images: a read-only root filesystem directory plus an OCI-style config (Entrypoint, Cmd, Env, WorkingDir,
 * User). There is no registry: images are built on the node, either the built-in `busybox` (from Debian's
 * busybox-static, one static binary plus its applet links) or from host binaries and exactly the libraries their ELF
 * headers name (the study note's "copy bash and the libraries it needs"). Containers never write to an image: each
 * gets an overlayfs with the image as its lower layer.
 *
 * Layout under ROOT/images: sha256/<id>/{rootfs/,image.json}, and tags.json mapping "name:tag" → id.
 */
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, promises as fsp } from "node:fs";
import { dirname, join } from "node:path";
import { FieldError } from "../api/errors.js";
import type { Image, ImageConfig } from "../api/image.js";
import { readJsonState, writeJsonState } from "../sys/json-state.js";
import type { Runner } from "../sys/runner.js";
import { sharedLibraries } from "./elf-libraries.js";
import { populateBaseDirs, copyHostPath } from "./image-files.js";

const DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
export const BUSYBOX_BINARY = "/bin/busybox";

/**
 * Normalizes an image reference as the container runtime does: "busybox" → "busybox:latest",
 * "docker.io/library/busybox:1.35" → "busybox:1.35". Digests are not supported (no registry).
 */
export function normalizeImageRef(ref: string): string {
  let r = ref.trim();
  for (const prefix of ["docker.io/library/", "docker.io/", "index.docker.io/library/", "library/"]) {
    if (r.startsWith(prefix)) r = r.slice(prefix.length);
  }
  const lastSlash = r.lastIndexOf("/");
  const colon = r.lastIndexOf(":");
  return colon > lastSlash ? r : `${r}:latest`;
}

export class ImageStore {
  /** Images by reference, as last read: every container start asks, and only this store changes them. */
  private readonly resolved = new Map<string, Image>();

  constructor(
    readonly root: string,
    private readonly runner: Runner,
  ) {}

  /** The image a reference names, or undefined when no such image is on the node. */
  async resolve(ref: string): Promise<Image | undefined> {
    const key = normalizeImageRef(ref);
    const cached = this.resolved.get(key);
    if (cached) return cached;
    const tags = await this.readTags();
    const id = tags[key];
    const image = id ? await this.load(id, tags) : undefined;
    if (image) this.resolved.set(key, image);
    return image;
  }

  /** Whether the node has an image by this reference: synchronous, for the API's admission (reads the tag file). */
  has(ref: string): boolean {
    let tags: Record<string, string> | undefined;
    try {
      tags = readJsonState<Record<string, string>>(this.tagsFile, "the image store");
    } catch {
      return false; // unreadable: no image is known to be here (admission refuses; nothing is removed)
    }
    return typeof tags?.[normalizeImageRef(ref)] === "string";
  }

  async list(): Promise<Image[]> {
    const tags = await this.readTags();
    const ids = [...new Set(Object.values(tags))];
    const images = await Promise.all(ids.map((id) => this.load(id, tags)));
    return images.filter((i): i is Image => i !== undefined).sort((a, b) => a.tags[0].localeCompare(b.tags[0]));
  }

  /**
   * Builds the built-in busybox image from Debian's busybox-static when it is missing. Tagged busybox:latest and
   * with busybox's own version (busybox:1.35.0, busybox:1.35).
   */
  async ensureBusybox(): Promise<Image> {
    const existing = await this.resolve("busybox:latest");
    if (existing) return existing;
    const version = await this.busyboxVersion();
    const tags = ["busybox:latest", `busybox:${version}`, `busybox:${version.split(".").slice(0, 2).join(".")}`];
    return this.build(tags, { Cmd: ["sh"], Env: [DEFAULT_PATH], WorkingDir: "/" }, async (rootfs) => {
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
    const ref = normalizeImageRef(tag);
    validateTag(ref);
    for (const p of paths) {
      if (!p.startsWith("/")) throw new FieldError("--from-host", `"${p}" must be an absolute path`);
      await fsp.access(p).catch(() => {
        throw new FieldError("--from-host", `"${p}" does not exist on this host`);
      });
    }
    return this.build([ref], { Cmd: [paths[0]], Env: [DEFAULT_PATH], WorkingDir: "/" }, async (rootfs) => {
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

  /** Removes a tag; the image directory goes when no tag points at it. */
  async remove(ref: string): Promise<boolean> {
    const tags = await this.readTags();
    const key = normalizeImageRef(ref);
    const id = tags[key];
    if (!id) return false;
    delete tags[key];
    await this.writeTags(tags);
    if (!Object.values(tags).includes(id)) await fsp.rm(join(this.root, "sha256", id), { recursive: true, force: true });
    return true;
  }

  private async build(tags: string[], config: ImageConfig, fill: (rootfs: string) => Promise<void>): Promise<Image> {
    const tmp = join(this.root, "tmp", randomBytes(8).toString("hex"));
    const rootfs = join(tmp, "rootfs");
    try {
      await populateBaseDirs(rootfs);
      await fill(rootfs);
      const { id, size } = await digestTree(rootfs, config);
      const dir = join(this.root, "sha256", id);
      const meta = { id, created: new Date().toISOString(), size, config };
      await fsp.writeFile(join(tmp, "image.json"), JSON.stringify(meta, null, 2));
      await fsp.mkdir(join(this.root, "sha256"), { recursive: true });
      await fsp.rename(tmp, dir).catch(async (e: NodeJS.ErrnoException) => {
        // The same content was built before: keep the existing directory.
        if (e.code !== "ENOTEMPTY" && e.code !== "EEXIST") throw e;
      });
      const all = await this.readTags();
      for (const t of tags) all[t] = id;
      await this.writeTags(all);
      return (await this.load(id, all))!;
    } finally {
      await fsp.rm(tmp, { recursive: true, force: true });
    }
  }

  private async load(id: string, tags: Record<string, string>): Promise<Image | undefined> {
    const dir = join(this.root, "sha256", id);
    try {
      const meta = JSON.parse(await fsp.readFile(join(dir, "image.json"), "utf8")) as Omit<Image, "tags" | "rootfs">;
      const names = Object.keys(tags).filter((t) => tags[t] === id).sort();
      return { ...meta, tags: names, rootfs: join(dir, "rootfs") };
    } catch {
      return undefined;
    }
  }

  private get tagsFile(): string {
    return join(this.root, "tags.json");
  }

  /** The tag file; none yet is no tags. Unreadable or corrupt throws: a write after an empty guess would lose them all. */
  private async readTags(): Promise<Record<string, string>> {
    return readJsonState<Record<string, string>>(this.tagsFile, "the image store") ?? {};
  }

  private async writeTags(tags: Record<string, string>): Promise<void> {
    this.resolved.clear();
    writeJsonState(this.tagsFile, tags, { pretty: true });
  }

  private async busyboxVersion(): Promise<string> {
    const out = await this.runner.run([BUSYBOX_BINARY], { allowFail: true });
    const m = /BusyBox v(\d+\.\d+\.\d+)/.exec(out.stdout + out.stderr);
    return m ? m[1] : "0.0.0";
  }
}

function validateTag(ref: string): void {
  if (!/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(ref)) {
    throw new FieldError("--tag", `invalid reference format "${ref}": repository names are lowercase, tags [A-Za-z0-9_.-]`);
  }
}

/** Image id: sha256 over the config and every file's path, mode and content (so identical builds share an id). */
async function digestTree(rootfs: string, config: ImageConfig): Promise<{ id: string; size: number }> {
  const hash = createHash("sha256");
  hash.update(JSON.stringify(config));
  let size = 0;
  const walk = async (dir: string, rel: string): Promise<void> => {
    const entries = (await fsp.readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      const path = join(dir, e.name);
      const relPath = `${rel}/${e.name}`;
      const st = await fsp.lstat(path);
      hash.update(`${relPath}\0${st.mode}\0`);
      if (e.isSymbolicLink()) hash.update(await fsp.readlink(path));
      else if (e.isDirectory()) await walk(path, relPath);
      else if (e.isFile()) {
        size += st.size;
        for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
      }
    }
  };
  await walk(rootfs, "");
  return { id: hash.digest("hex"), size };
}
