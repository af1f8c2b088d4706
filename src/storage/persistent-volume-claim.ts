/**
 * persistentVolumeClaim volumes: the claim is looked up, then the volume it is bound to, and the pod gets that
 * volume's path — a volume of the node's provisioner (mounted first if it is not: after a reboot, or with a growth
 * to finish), a `local` volume's path, or a `hostPath` volume checked as the hostPath plugin checks it. Until the
 * claim is bound the pod waits in ContainerCreating with FailedMount, as the kubelet's volume manager does.
 */
import { statSync } from "node:fs";
import type { PersistentVolume, PersistentVolumeClaim, Pod, Volume } from "../api/types.js";
import { ANN_PROVISIONED_BY } from "../api/storage-annotations.js";
import { HostPathPlugin } from "./host-path.js";
import type { LocalProvisioner } from "./local-provisioner.js";
import { VolumeError, type PreparedVolume, type VolumePlugin } from "./volume-plugin.js";
import { fsGroupOf, setVolumeOwnership } from "./fs-group.js";

/** Reads claims and volumes (the store, once the daemon has opened it). */
export interface ClaimLookup {
  claim(namespace: string, name: string): PersistentVolumeClaim | undefined;
  volume(name: string): PersistentVolume | undefined;
  /**
   * Calls `changed` after each change to a claim of `namespace` or to any PersistentVolume until the returned function
   * is called (a watch: on a joined node one stream instead of a request per look).
   */
  watch(namespace: string, changed: () => void): () => void;
}

export class PersistentVolumeClaimPlugin implements VolumePlugin {
  readonly name = "kubernetes.io~persistent-volume-claim";

  constructor(
    private readonly lookup: ClaimLookup,
    private readonly provisioner: LocalProvisioner,
    private readonly hostPath: HostPathPlugin,
    private readonly bindWaitMs = 5000,
  ) {}

  handles(v: Volume): boolean {
    return v.persistentVolumeClaim !== undefined;
  }

  async setup(pod: Pod, v: Volume): Promise<PreparedVolume> {
    const ns = pod.metadata.namespace ?? "default";
    const claimName = v.persistentVolumeClaim!.claimName;
    const fail = (why: string): never => {
      throw new VolumeError(v.name, `error processing PVC ${ns}/${claimName}: ${why}`);
    };
    const claim = (await this.boundClaim(ns, claimName)) ?? fail(`failed to fetch PVC from API server: persistentvolumeclaims "${claimName}" not found`);
    if (claim.metadata.deletionTimestamp) fail("PVC is being deleted");
    if (claim.status?.phase !== "Bound" || !claim.spec.volumeName) fail("PVC is not bound");
    const pv = this.lookup.volume(claim.spec.volumeName!) ?? fail(`failed to fetch PV ${claim.spec.volumeName} from API server: persistentvolumes "${claim.spec.volumeName}" not found`);
    if (pv.spec.claimRef?.uid !== claim.metadata.uid) fail(`PV ${pv.metadata.name} is not bound to this claim`);
    const readOnly = v.persistentVolumeClaim!.readOnly === true;
    const ours = pv.metadata.annotations?.[ANN_PROVISIONED_BY] === this.provisioner.name;
    if ((pv.spec.volumeMode ?? "Filesystem") === "Block") {
      if (!ours) throw new VolumeError(v.name, `volume ${pv.metadata.name}: volumeMode Block is supported for volumes of ${this.provisioner.name} only`);
      const dev = await this.provisioner.ensureAttached(pv.metadata.name!).catch((err: unknown) => {
        throw new VolumeError(v.name, err instanceof Error ? err.message : String(err));
      });
      return { hostPath: dev.path, readOnly, device: { major: dev.major, minor: dev.minor } };
    }
    if (ours) {
      const path = await this.provisioner.ensureMounted(pv.metadata.name!).catch((err: unknown) => {
        throw new VolumeError(v.name, err instanceof Error ? err.message : String(err));
      });
      await this.ownership(pod, v, path, readOnly);
      return { hostPath: path, readOnly };
    }
    if (pv.spec.hostPath) {
      const prepared = await this.hostPath.setup(pod, { name: v.name, hostPath: pv.spec.hostPath });
      return { ...prepared, readOnly };
    }
    if (pv.spec.local) {
      const path = pv.spec.local.path;
      // The local plugin's NewMounter stats the path (hostutil GetFileType), so the kubelet reports this step.
      const missing = statFailure(path);
      if (missing) throw new VolumeError(pv.metadata.name!, missing, "MountVolume.NewMounter initialization failed");
      await this.ownership(pod, v, path, readOnly);
      return { hostPath: path, readOnly };
    }
    const kinds = Object.keys(pv.spec).filter((k) => !["capacity", "accessModes", "claimRef", "persistentVolumeReclaimPolicy", "storageClassName", "volumeMode", "mountOptions", "nodeAffinity", "volumeAttributesClassName"].includes(k));
    throw new VolumeError(v.name, `volume type ${kinds.join(", ") || "(none)"} of PersistentVolume ${pv.metadata.name} is not supported on this node`);
  }

  /**
   * The pod's fsGroup on the volume, as the kubelet applies it to filesystem volumes that support ownership (local
   * and block-backed ones; hostPath does not), honouring fsGroupChangePolicy.
   */
  private async ownership(pod: Pod, v: Volume, path: string, readOnly: boolean): Promise<void> {
    const policy = fsGroupOf(pod.spec.securityContext, readOnly);
    if (!policy) return;
    await setVolumeOwnership(path, policy).catch((err: unknown) => {
      throw new VolumeError(v.name, `applying fsGroup ${policy.gid}: ${err instanceof Error ? err.message : String(err)}`);
    });
  }

  /**
   * The claim once it is bound, waiting up to `bindWaitMs` (as the kubelet's volume manager waits for attach and
   * mount): a claim made with its pod is bound a moment after the pod, by the provisioner, and failing at once would
   * push the pod's start to the next sync. Looks again only when a claim or volume changed (the watch is opened
   * before the look that follows, so no change falls between). Returns the claim as it is at the end (maybe unbound, or
   * undefined).
   */
  private async boundClaim(ns: string, name: string): Promise<PersistentVolumeClaim | undefined> {
    const deadline = Date.now() + this.bindWaitMs;
    const look = () => {
      const c = this.lookup.claim(ns, name);
      const bound = c?.status?.phase === "Bound" && c.spec.volumeName && this.lookup.volume(c.spec.volumeName)?.spec.claimRef?.uid === c.metadata.uid;
      return { c, done: Boolean(bound || c?.metadata.deletionTimestamp) || Date.now() >= deadline };
    };
    const first = look();
    if (first.done) return first.c;
    let changed: boolean;
    let wake: (() => void) | undefined;
    const stop = this.lookup.watch(ns, () => {
      changed = true;
      wake?.();
    });
    try {
      for (;;) {
        changed = false;
        const { c, done } = look();
        if (done) return c;
        if (changed) continue;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
    } finally {
      stop();
    }
  }

  async teardown(): Promise<void> {
    // The volume outlives the pod: its mount belongs to the PersistentVolume (removed by its reclaim or Retain).
  }
}

/** Why `p` cannot be used, as hostutil's GetFileType words it; undefined when it is there. */
function statFailure(p: string): string | undefined {
  try {
    statSync(p);
    return undefined;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return e.code === "ENOENT" ? `path "${p}" does not exist` : `stat ${p}: ${e.code ?? e.message}`;
  }
}
