/**
 * Wiring of persistent storage into the daemon: the node's provisioner (loop-mounted images under ROOT/volumes),
 * the kubelet's persistentVolumeClaim volume plugin, the storage admission hooks, the default StorageClass `local`
 * (created at start unless it exists; an administrator may change or delete it), and the PV controller.
 */
import { join } from "node:path";
import { DEFAULT_CLASS_ANNOTATION, type StorageClass } from "../api/storage-class.js";
import { ANN_PROVISIONED_BY } from "../api/storage-annotations.js";
import type { PersistentVolume, PersistentVolumeClaim } from "../api/types.js";
import { installStorageAdmission, type StorageHookTarget } from "../controllers/pv-binder/admission.js";
import { PvBinder } from "../controllers/pv-binder/controller.js";
import { EventRecorder, type EventLimits } from "../kubelet/events.js";
import { HostPathPlugin } from "../storage/host-path.js";
import { LOCAL_PROVISIONER, LocalProvisioner } from "../storage/local-provisioner.js";
import { PersistentVolumeClaimPlugin } from "../storage/persistent-volume-claim.js";
import type { VolumePlugin } from "../storage/volume-plugin.js";
import type { Store } from "../store/store.js";
import type { Clock } from "../sys/clock.js";
import type { Runner } from "../sys/runner.js";
import { withFieldManager } from "../store/field-manager-store.js";

/** The volumes directory of a state root. */
export const volumesDir = (root: string): string => join(root, "volumes");

/** The class every claim without one gets: this node's provisioner, bound when a pod uses it, expandable. */
export const LOCAL_STORAGE_CLASS: StorageClass = {
  apiVersion: "storage.k8s.io/v1",
  kind: "StorageClass",
  metadata: { name: "local", annotations: { [DEFAULT_CLASS_ANNOTATION]: "true" } },
  provisioner: LOCAL_PROVISIONER,
  reclaimPolicy: "Delete",
  volumeBindingMode: "WaitForFirstConsumer",
  allowVolumeExpansion: true,
};

/** The persistentVolumeClaim plugin for the runtime; `store` is read when a pod's volumes are set up. */
export function claimVolumePlugins(root: string, store: () => Store | undefined): (runner: Runner) => VolumePlugin[] {
  return (runner) => {
    const lookup = {
      claim: (ns: string, name: string) => store()?.get<PersistentVolumeClaim>("PersistentVolumeClaim", ns, name),
      volume: (name: string) => store()?.get<PersistentVolume>("PersistentVolume", "", name),
    };
    return [new PersistentVolumeClaimPlugin(lookup, new LocalProvisioner(volumesDir(root), runner), new HostPathPlugin(runner))];
  };
}

export interface StorageSettings {
  root: string;
  nodeName: string;
  store: Store;
  runner: Runner;
  clock: Clock;
  eventLimits: EventLimits;
  log: (m: string) => void;
}

/**
 * The node's volumes mounted (or attached) again at start: after a reboot nothing is, after a crash all still are
 * (then this only checks). Retain volumes whose object is gone stay unmounted; volumes of no object that nobody kept
 * (a crash between making storage and its object) are removed.
 */
async function remountVolumes(store: Store, provisioner: LocalProvisioner, log: (m: string) => void): Promise<void> {
  const volumes = store.list<PersistentVolume>("PersistentVolume").items;
  try {
    for (const name of await provisioner.collectOrphans(new Set(volumes.map((v) => v.metadata.name!)), log)) log(`removed volume ${name}: no PersistentVolume names it`);
  } catch (err) {
    log(`volumes: ${String(err)}`);
  }
  for (const pv of volumes) {
    if (pv.metadata.annotations?.[ANN_PROVISIONED_BY] !== provisioner.name) continue;
    const name = pv.metadata.name!;
    try {
      if (pv.spec.volumeMode === "Block") await provisioner.ensureAttached(name);
      else await provisioner.ensureMounted(name);
    } catch (err) {
      log(`volume ${name}: ${String(err)}`);
    }
  }
}

/** Admission hooks, before the API listens. */
export function installStorageHooks(store: Store, api: StorageHookTarget): () => void {
  return installStorageAdmission(store, api);
}

/**
 * Creates the default class if missing, mounts the node's volumes again (collecting orphans), then starts the PV
 * controller, so no provisioning runs while the volumes directory is being checked. Returns its stop.
 */
export async function startStorage(s: StorageSettings): Promise<{ binder: PvBinder; stop(): Promise<void> }> {
  if (!s.store.get("StorageClass", "", LOCAL_STORAGE_CLASS.metadata.name!)) {
    try {
      s.store.create(structuredClone(LOCAL_STORAGE_CLASS));
    } catch (err) {
      s.log(`cannot create the default StorageClass: ${String(err)}`);
    }
  }
  const provisioner = new LocalProvisioner(volumesDir(s.root), s.runner);
  await remountVolumes(s.store, provisioner, s.log);
  const binder = new PvBinder({
    store: withFieldManager(s.store, "kube-controller-manager"),
    events: new EventRecorder(s.store, s.clock, "persistentvolume-controller", s.nodeName, s.eventLimits),
    provisioner,
    nodeName: s.nodeName,
    clock: s.clock,
    log: s.log,
  });
  binder.start();
  return {
    binder,
    async stop() {
      binder.stop();
      await binder.idle();
    },
  };
}
