/** What the PV controller needs from a provisioner (storage/local-provisioner.ts is the node's). Errors carry the message its events show. */
export interface VolumeProvisioner {
  readonly name: string;
  /** Creates and mounts storage holding at least `bytes` for volume `name`; returns the path pods mount. */
  provision(name: string, bytes: number, volumeMode: "Filesystem" | "Block"): Promise<{ path: string }>;
  /** Removes the storage of `name` (mount, loop device, files). Idempotent. */
  delete(name: string): Promise<void>;
  /**
   * Grows `name` to `bytes`. True when its filesystem has grown; false when the growth waits until no pod uses it
   * (`inUse`, or a container still holds the filesystem).
   */
  expand(name: string, bytes: number, inUse: boolean): Promise<boolean>;
  /** Takes the storage of a volume whose object is gone but whose data is kept (Retain): unmounted, files kept. */
  release(name: string): Promise<void>;
}

/** The controller's clock (the node's Clock fits): time for events and phases, a timer for the periodic sync. */
export interface BinderClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): { cancel(): void };
}
