/**
 * `nodelet image import FILE|DIR`: the images of an archive as ImageSources for the puller. Reader rule (shared
 * reference images.md A2): an OCI layout (`index.json` + `oci-layout`) is preferred; else a `docker save` archive
 * (`manifest.json`: Config, RepoTags, Layers — legacy `<id>/layer.tar` or Docker ≥ 25's `blobs/sha256/…`). A tar is
 * first unpacked (with the layer unpacker: the same path safety, and device nodes and FIFOs refused) into a private
 * temporary directory; every file an archive names is then opened inside that directory (layout-file.ts: symlinks
 * resolved inside it, O_NOFOLLOW, regular files only, bounded), never joined.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import type { Runner } from "../sys/runner.js";
import { lookup } from "./image-root.js";
import { openInside, readInside, streamInside } from "./layout-file.js";
import { layoutEntries, OciLayoutSource } from "./oci-layout.js";
import type { FetchedManifest, ImageSource } from "./pull.js";
import { parseDigest } from "./store/layer-path.js";
import { tarEntries } from "./store/tar-reader.js";
import { unpackLayer } from "./store/unpack.js";

/** One image of an archive: its source and the names it carries (fully qualified or not). */
export interface ArchiveImage {
  names: string[];
  source: ImageSource;
}

const MAX_JSON = 4 << 20;
/** A docker save layer file: as large as the archive made it (it is on this disk already); read only to its size at open. */
const ANY_SIZE = Number.MAX_SAFE_INTEGER;
const noOpaque = async () => false;

/** Unpacks a tar archive into `dir` (which must be empty and private); device nodes and FIFOs are refused. */
export async function unpackArchive(file: string, dir: string, runner: Runner): Promise<void> {
  await unpackLayer(tarEntries(createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>), dir, runner, { devices: "refuse" });
}

/** The images of an unpacked archive or layout directory. */
export async function archiveImages(dir: string): Promise<ArchiveImage[]> {
  if (await exists(dir, "index.json") && await exists(dir, "oci-layout")) {
    return Promise.all((await layoutEntries(dir)).map(async (e) => ({ names: e.name ? [e.name] : [], source: new OciLayoutSource(dir, e.descriptor) })));
  }
  if (await exists(dir, "manifest.json")) return dockerArchiveImages(dir);
  throw new Error(`${dir}: neither an OCI layout (index.json, oci-layout) nor a docker save archive (manifest.json)`);
}

async function exists(dir: string, name: string): Promise<boolean> {
  return (await lookup([dir], name, noOpaque)) !== undefined;
}


interface DockerManifestEntry {
  Config?: unknown;
  RepoTags?: unknown;
  Layers?: unknown;
}

async function dockerArchiveImages(dir: string): Promise<ArchiveImage[]> {
  const text = (await readInside(dir, "manifest.json", "archive", MAX_JSON)).toString("utf8");
  let entries: DockerManifestEntry[];
  try {
    entries = JSON.parse(text) as DockerManifestEntry[];
  } catch (err) {
    throw new Error(`archive: manifest.json is not JSON: ${(err as Error).message}`, { cause: err });
  }
  if (!Array.isArray(entries)) throw new Error("archive: manifest.json must be a list");
  return Promise.all(entries.map(async (e, i) => {
    if (typeof e.Config !== "string" || !Array.isArray(e.Layers) || !e.Layers.every((l) => typeof l === "string")) {
      throw new Error(`archive: manifest.json[${i}] needs Config and Layers`);
    }
    const names = Array.isArray(e.RepoTags) ? e.RepoTags.filter((t): t is string => typeof t === "string") : [];
    return { names, source: await DockerArchiveSource.open(dir, e.Config, e.Layers) };
  }));
}

/** A docker save image as an ImageSource: an OCI manifest made from its config and (uncompressed) layer files. */
class DockerArchiveSource implements ImageSource {
  private constructor(
    private readonly dir: string,
    /** Digest → the path the archive names for it. */
    private readonly files: Map<string, string>,
    private readonly manifestBytes: Buffer,
  ) {}

  static async open(dir: string, config: string, layers: string[]): Promise<DockerArchiveSource> {
    const files = new Map<string, string>();
    const describe = async (path: string, mediaType: string) => {
      const { fh, size } = await openInside(dir, path, "archive", path === config ? MAX_JSON : ANY_SIZE);
      const hash = createHash("sha256");
      try {
        if (size > 0) for await (const c of fh.createReadStream({ autoClose: false, start: 0, end: size - 1, highWaterMark: 1 << 20 })) hash.update(c as Buffer);
      } finally {
        await fh.close();
      }
      const digest = `sha256:${hash.digest("hex")}`;
      files.set(digest, path);
      return { mediaType, digest, size };
    };
    const manifest = {
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: await describe(config, "application/vnd.oci.image.config.v1+json"),
      layers: await Promise.all(layers.map((l) => describe(l, "application/vnd.oci.image.layer.v1.tar"))),
    };
    return new DockerArchiveSource(dir, files, Buffer.from(JSON.stringify(manifest)));
  }

  async manifest(digest?: string): Promise<FetchedManifest> {
    const own = `sha256:${createHash("sha256").update(this.manifestBytes).digest("hex")}`;
    if (digest !== undefined && digest !== own) throw new Error(`archive: no manifest ${digest}`);
    return { bytes: this.manifestBytes, digest: own, mediaType: "application/vnd.oci.image.manifest.v1+json" };
  }

  async blob(desc: { digest: string; size: number }): Promise<AsyncIterable<Buffer>> {
    parseDigest(desc.digest, "blob digest");
    const path = this.files.get(desc.digest);
    if (!path) throw new Error(`archive: no blob ${desc.digest}`);
    return streamInside(this.dir, path, `archive blob ${desc.digest}`, desc.size);
  }
}
