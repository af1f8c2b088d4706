/**
 * `nodelet image build --debian PKG... --tag NAME`: a Debian root filesystem made by mmdebstrap from this node's own
 * apt sources (for nodes that reach a Debian mirror but no container registry). mmdebstrap writes one uncompressed
 * tar; the image store takes that tar as the image's single layer and unpacks it with the same safe unpacker as a
 * pulled layer (runtime/images.ts buildDebian), so what a package ships is held to the rules of any layer.
 *
 * The suite is the host's (`VERSION_CODENAME` of /etc/os-release) and the sources are the host's apt source files
 * as apt reads them (`sources.list`, `sources.list.d/*.list` and `*.sources`), handed to mmdebstrap as files: it
 * pastes each into the new root's sources, so the image updates from the mirrors the node uses.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { FieldError } from "../api/errors.js";

const FLAG = "--debian";

/** Debian Policy §5.6.7: lowercase letters, digits, `+`, `-` and `.`; at least two characters; alphanumeric first. */
const PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]+$/;
/** More would be a command line of its own; a real image names a handful. */
export const MAX_DEBIAN_PACKAGES = 256;

/** Throws a FieldError naming --debian unless every name is a Debian package name (so none can be read as an option). */
export function validateDebianPackages(packages: string[]): void {
  if (packages.length === 0) throw new FieldError(FLAG, "Required value: at least one Debian package to install");
  if (packages.length > MAX_DEBIAN_PACKAGES) throw new FieldError(FLAG, `at most ${MAX_DEBIAN_PACKAGES} packages, got ${packages.length}`);
  for (const p of packages) {
    if (!PACKAGE_NAME.test(p) || p.length > 128) {
      throw new FieldError(FLAG, `"${p}" is not a Debian package name (lowercase letters, digits, "+", "-" and ".", starting with a letter or digit)`);
    }
  }
}

export interface AptSources {
  /** The host's release codename (bookworm). */
  suite: string;
  /** The host's apt source files, in apt's order. */
  files: string[];
}

/** The host's suite and apt source files, read under `etc` (a test's own directory, or /etc). */
export function hostAptSources(etc = "/etc"): AptSources {
  const osRelease = readOptional(join(etc, "os-release")) ?? readOptional(join(etc, "../usr/lib/os-release")) ?? "";
  const suite = /^VERSION_CODENAME="?([a-z0-9.-]+)"?$/m.exec(osRelease)?.[1];
  if (!suite) throw new FieldError(FLAG, `this node's ${join(etc, "os-release")} names no VERSION_CODENAME: not a Debian release mmdebstrap can build`);
  const files: string[] = [];
  const main = join(etc, "apt/sources.list");
  if (hasSourceLines(main)) files.push(main);
  const dir = join(etc, "apt/sources.list.d");
  const names = existsSync(dir) ? readdirSync(dir).sort() : [];
  // apt reads only these two suffixes; anything else in the directory (a disabled copy, a backup) is not a source.
  for (const n of names) {
    const f = join(dir, n);
    if ((n.endsWith(".list") || n.endsWith(".sources")) && statSync(f).isFile() && hasSourceLines(f)) files.push(f);
  }
  if (files.length === 0) throw new FieldError(FLAG, `this node has no apt sources (${main}, ${dir}): nothing to build a Debian image from`);
  return { suite, files };
}

/**
 * mmdebstrap's argv: as root (the daemon is), the `apt` variant (Debian's Essential set plus apt, as Debian's own
 * container images have) plus `packages` and their dependencies, written as one tar to `target`.
 */
export function mmdebstrapArgv(packages: string[], sources: AptSources, target: string): string[] {
  validateDebianPackages(packages);
  return ["mmdebstrap", "--mode=root", "--variant=apt", "--format=tar", `--include=${packages.join(",")}`, "--", sources.suite, target, ...sources.files];
}

/** The config of a built Debian image: bash, as Debian's images start, with Debian's default PATH. */
export const DEBIAN_IMAGE_CONFIG = {
  Cmd: ["bash"],
  Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
  WorkingDir: "/",
};

function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** A file with at least one line that is neither blank nor a comment (an empty sources.list names no mirror). */
function hasSourceLines(path: string): boolean {
  const text = readOptional(path);
  return text !== undefined && text.split("\n").some((l) => l.trim() !== "" && !l.trim().startsWith("#"));
}
