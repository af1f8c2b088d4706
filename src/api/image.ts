/**
 * An image as the node keeps it and as `/apis/nodelet.io/v1/images` serves it: its layers (unpacked directories,
 * stacked by overlayfs) and the part of its OCI config that decides how a container runs (the runtime's ImageStore
 * makes them; the CLI lists them).
 */

/** The part of the OCI image config that decides how a container runs. */
export interface ImageConfig {
  Entrypoint?: string[];
  Cmd?: string[];
  Env?: string[];
  WorkingDir?: string;
  User?: string;
  StopSignal?: string;
}

export interface Image {
  /** Hex of the config digest. */
  id: string;
  /** Every "name:tag" that points at this image, fully qualified ("docker.io/library/busybox:1.28"). */
  tags: string[];
  /** "name@sha256:…" of each registry manifest it was pulled as. */
  repoDigests: string[];
  created: string;
  /** Bytes of its manifest, config and layer blobs. */
  size: number;
  /** The overlay lower directories of its containers, top layer first. */
  lowerDirs: string[];
  config: ImageConfig;
  /** Built on this node (busybox, --from-host): no registry has it, so no pull policy pulls it. */
  local: boolean;
}

/** A reference as Docker shows it: "docker.io/library/busybox:1.28" → "busybox:1.28", "docker.io/me/app" → "me/app". */
export function familiarName(ref: string): string {
  if (ref.startsWith("docker.io/library/")) return ref.slice("docker.io/library/".length);
  if (ref.startsWith("docker.io/")) return ref.slice("docker.io/".length);
  return ref;
}
