/**
 * Wiring of persistent storage into the roles: the node's provisioner (loop-mounted images under ROOT/volumes),
 * the kubelet's persistentVolumeClaim volume plugin, the storage admission hooks, the default StorageClass `local`
 * (created at start unless it exists; an administrator may change or delete it), and the PV controller — whole in
 * the daemon, split in a cluster: binding in the control plane (startVolumeBinding), each node's local provisioner
 * on that node (startStorage with role "node").
 */
import { join } from "node:path";
import { DEFAULT_CLASS_ANNOTATION, type StorageClass } from "../api/storage-class.js";
import { ANN_PROVISIONED_BY } from "../api/storage-annotations.js";
import type { PersistentVolume, PersistentVolumeClaim } from "../api/types.js";
import { installStorageAdmission, type StorageHookTarget } from "../controllers/pv-binder/admission.js";
import { PvBinder } from "../controllers/pv-binder/controller.js";
import { volumeOnNode } from "../controllers/pv-binder/reconcile.js";
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
      watch: (namespace: string, changed: () => void) => {
        const s = store();
        if (!s) return () => undefined;
        const stops = [s.watch("PersistentVolumeClaim", { namespace }, changed), s.watch("PersistentVolume", {}, changed)];
        return () => stops.forEach((stop) => stop());
      },
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
async function remountVolumes(store: Store, provisioner: LocalProvisioner, nodeName: string, log: (m: string) => void): Promise<void> {
  let volumes: PersistentVolume[];
  try {
    volumes = store.list<PersistentVolume>("PersistentVolume").items;
  } catch (err) {
    // Fails closed: without the list every image would look orphaned. Pods still mount their volumes as they start.
    log(`volumes: cannot list PersistentVolumes (${String(err)}): not mounted again at start, no orphan collected`);
    return;
  }
  try {
    for (const name of await provisioner.collectOrphans(new Set(volumes.map((v) => v.metadata.name!)), log)) log(`removed volume ${name}: no PersistentVolume names it`);
  } catch (err) {
    log(`volumes: ${String(err)}`);
  }
  for (const pv of volumes) {
    if (pv.metadata.annotations?.[ANN_PROVISIONED_BY] !== provisioner.name || !volumeOnNode(pv, nodeName)) continue;
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

/** The default class `local`, unless a class of that name exists (an administrator may change or delete it). */
export function ensureDefaultStorageClass(store: Store, log: (m: string) => void): void {
  if (store.get("StorageClass", "", LOCAL_STORAGE_CLASS.metadata.name!)) return;
  try {
    store.create(structuredClone(LOCAL_STORAGE_CLASS));
  } catch (err) {
    log(`cannot create the default StorageClass: ${String(err)}`);
  }
}

/**
 * Mounts the node's volumes again (collecting orphans), then starts the PV controller, so no provisioning runs while
 * the volumes directory is being checked. The daemon's ("all-in-one", which also makes the default class) binds and
 * provisions; a cluster node's ("node") is the local provisioner of that node only, through the control plane's API.
 */
export async function startStorage(s: StorageSettings, role: "all-in-one" | "node" = "all-in-one"): Promise<{ binder: PvBinder; stop(): Promise<void> }> {
  if (role === "all-in-one") ensureDefaultStorageClass(s.store, s.log);
  const provisioner = new LocalProvisioner(volumesDir(s.root), s.runner);
  await remountVolumes(s.store, provisioner, s.nodeName, s.log);
  // On a node the events are the provisioner's own, as external-provisioner records them under its name.
  const component = role === "node" ? LOCAL_PROVISIONER : "persistentvolume-controller";
  const binder = new PvBinder({
    store: withFieldManager(s.store, role === "node" ? LOCAL_PROVISIONER : "kube-controller-manager"),
    events: new EventRecorder(s.store, s.clock, component, s.nodeName, s.eventLimits),
    provisioner,
    role,
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

/** The control plane's PV controller: binding, phases, protection and reclaim decisions; provisioning is the nodes'. */
export function startVolumeBinding(store: Store, clock: Clock, log: (m: string) => void): { stop(): Promise<void> } {
  ensureDefaultStorageClass(store, log);
  const binder = new PvBinder({
    store: withFieldManager(store, "kube-controller-manager"),
    events: new EventRecorder(store, clock, "persistentvolume-controller", ""),
    role: "control-plane",
    nodeName: "",
    clock,
    log,
  });
  binder.start();
  return {
    async stop() {
      binder.stop();
      await binder.idle();
    },
  };
}
