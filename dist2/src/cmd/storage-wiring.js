/**
 * Wiring of persistent storage into the daemon: the node's provisioner (loop-mounted images under ROOT/volumes),
 * the kubelet's persistentVolumeClaim volume plugin, the storage admission hooks, the default StorageClass `local`
 * (created at start unless it exists; an administrator may change or delete it), and the PV controller.
 */
import { join } from "node:path";
import { DEFAULT_CLASS_ANNOTATION } from "../api/storage-class.js";
import { ANN_PROVISIONED_BY } from "../api/storage-annotations.js";
import { installStorageAdmission } from "../controllers/pv-binder/admission.js";
import { PvBinder } from "../controllers/pv-binder/controller.js";
import { EventRecorder } from "../kubelet/events.js";
import { HostPathPlugin } from "../storage/host-path.js";
import { LOCAL_PROVISIONER, LocalProvisioner } from "../storage/local-provisioner.js";
import { PersistentVolumeClaimPlugin } from "../storage/persistent-volume-claim.js";
/** The volumes directory of a state root. */
export const volumesDir = (root) => join(root, "volumes");
/** The class every claim without one gets: this node's provisioner, bound when a pod uses it, expandable. */
export const LOCAL_STORAGE_CLASS = {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: { name: "local", annotations: { [DEFAULT_CLASS_ANNOTATION]: "true" } },
    provisioner: LOCAL_PROVISIONER,
    reclaimPolicy: "Delete",
    volumeBindingMode: "WaitForFirstConsumer",
    allowVolumeExpansion: true,
};
/** The persistentVolumeClaim plugin for the runtime; `store` is read when a pod's volumes are set up. */
export function claimVolumePlugins(root, store) {
    return (runner) => {
        const lookup = {
            claim: (ns, name) => store()?.get("PersistentVolumeClaim", ns, name),
            volume: (name) => store()?.get("PersistentVolume", "", name),
        };
        return [new PersistentVolumeClaimPlugin(lookup, new LocalProvisioner(volumesDir(root), runner), new HostPathPlugin(runner))];
    };
}
/**
 * The node's volumes mounted (or attached) again at start: after a reboot nothing is, after a crash all still are
 * (then this only checks). Retain volumes whose object is gone stay unmounted.
 */
async function remountVolumes(store, provisioner, log) {
    for (const pv of store.list("PersistentVolume").items) {
        if (pv.metadata.annotations?.[ANN_PROVISIONED_BY] !== provisioner.name)
            continue;
        const name = pv.metadata.name;
        try {
            if (pv.spec.volumeMode === "Block")
                await provisioner.ensureAttached(name);
            else
                await provisioner.ensureMounted(name);
        }
        catch (err) {
            log(`volume ${name}: ${String(err)}`);
        }
    }
}
/** Admission hooks, before the API listens. */
export function installStorageHooks(store, api) {
    return installStorageAdmission(store, api);
}
/** Creates the default class if missing and starts the PV controller; returns its stop. */
export function startStorage(s) {
    if (!s.store.get("StorageClass", "", LOCAL_STORAGE_CLASS.metadata.name)) {
        try {
            s.store.create(structuredClone(LOCAL_STORAGE_CLASS));
        }
        catch (err) {
            s.log(`cannot create the default StorageClass: ${String(err)}`);
        }
    }
    const provisioner = new LocalProvisioner(volumesDir(s.root), s.runner);
    void remountVolumes(s.store, provisioner, s.log);
    const binder = new PvBinder({
        store: s.store,
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
//# sourceMappingURL=storage-wiring.js.map