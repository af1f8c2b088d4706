/**
 * An image as the node keeps it and as `/apis/nodelet.io/v1/images` serves it: a read-only root filesystem and the
 * part of its OCI config that decides how a container runs (the runtime's ImageStore makes them; the CLI lists them).
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
  id: string;
  /** Every "name:tag" that points at this image. */
  tags: string[];
  created: string;
  size: number;
  rootfs: string;
  config: ImageConfig;
}
