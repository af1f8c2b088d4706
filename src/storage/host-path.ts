/**
 * hostPath: a file or directory of the node, checked (or created) according to `type` exactly as the kubelet's
 * host_path plugin does: Directory/File must exist with that type; DirectoryOrCreate/FileOrCreate create it
 * (0755 directory, 0644 empty file); Socket/CharDevice/BlockDevice must be that kind of file.
 */
import { promises as fsp, type Stats } from "node:fs";
import type { Pod, Volume } from "../api/types.js";
import type { Runner } from "../sys/runner.js";
import { VolumeError, type VolumePlugin } from "./volume-plugin.js";

export class HostPathPlugin implements VolumePlugin {
  readonly name = "kubernetes.io~host-path";

  constructor(private readonly runner: Runner) {}

  handles(v: Volume): boolean {
    return v.hostPath !== undefined;
  }

  async setup(pod: Pod, v: Volume) {
    const { path, type = "" } = v.hostPath!;
    const fail = (why: string): never => {
      throw new VolumeError(v.name, `hostPath type check failed: ${path} ${why}`);
    };
    // Only a path that does not exist is "absent" (and may be created); one that cannot be checked fails the volume.
    const st = await fsp.stat(path).catch((e: NodeJS.ErrnoException) => (e.code === "ENOENT" ? undefined : fail(`cannot be checked: ${e.code ?? e.message}`)));
    switch (type) {
      case "DirectoryOrCreate":
        if (!st) {
          await this.runner.mkdir(path, pod.metadata.uid, 0o755);
          break;
        }
        if (!st.isDirectory()) fail("is not a directory");
        break;
      case "Directory":
        if (!st?.isDirectory()) fail(st ? "is not a directory" : "does not exist");
        break;
      case "FileOrCreate":
        if (!st) {
          await this.runner.writeFile(path, "", pod.metadata.uid, 0o644).catch((e: unknown) => fail(`cannot be created: ${String(e)}`));
          break;
        }
        if (!st.isFile()) fail("is not a file");
        break;
      case "File":
        if (!st?.isFile()) fail(st ? "is not a file" : "does not exist");
        break;
      case "Socket":
      case "CharDevice":
      case "BlockDevice":
        if (!st || !isKind(st, type)) fail(`is not a ${type.toLowerCase()}`);
        break;
      default:
        // "": no check; bind mounting a missing path creates a directory, as the runtime does.
        if (!st) await this.runner.mkdir(path, pod.metadata.uid, 0o755);
    }
    return { hostPath: path, readOnly: false };
  }

  async teardown(): Promise<void> {
    // The node's files are the node's: nothing to remove.
  }
}

function isKind(st: Stats, type: "Socket" | "CharDevice" | "BlockDevice"): boolean {
  return type === "Socket" ? st.isSocket() : type === "CharDevice" ? st.isCharacterDevice() : st.isBlockDevice();
}
