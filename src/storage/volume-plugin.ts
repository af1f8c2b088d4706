/** The contract of a volume plugin (storage/volumes.ts runs them) and what it hands the runtime. */
import type { Pod, Volume } from "../api/types.js";

/** A volume ready to be bind-mounted into the containers that ask for it. */
export interface PreparedVolume {
  hostPath: string;
  readOnly: boolean;
  /** A block volume (volumeMode Block): hostPath is a device node with these numbers, for volumeDevices. */
  device?: { major: number; minor: number };
}

/** Where volumes that live in the pod's directory go (the runtime's Layout is one). */
export interface VolumePaths {
  /** ROOT/pods/UID/volumes/PLUGIN/NAME, as the kubelet lays them out. */
  volumeDir(podUid: string, plugin: string, name: string): string;
}

export interface VolumePlugin {
  /** The kubelet's plugin directory name (kubernetes.io~empty-dir). */
  readonly name: string;
  handles(v: Volume): boolean;
  setup(pod: Pod, v: Volume): Promise<PreparedVolume>;
  teardown(pod: Pod, v: Volume): Promise<void>;
  /** Volumes whose content follows API objects: write it again from them now; true when something changed. */
  refresh?(pod: Pod, v: Volume): Promise<boolean>;
}

/**
 * A volume that cannot be set up, worded as the kubelet's operation generator words it: `PREFIX for volume "NAME" :
 * why`, where NAME is the pod's volume, or the PersistentVolume behind a claim, and PREFIX names the step that failed
 * ("MountVolume.NewMounter initialization failed" when the plugin cannot even make its mounter, as for a `local`
 * volume whose path is missing).
 */
export class VolumeError extends Error {
  constructor(
    readonly volume: string,
    message: string,
    step = "MountVolume.SetUp failed",
  ) {
    super(`${step} for volume "${volume}" : ${message}`);
    this.name = "VolumeError";
  }
}
