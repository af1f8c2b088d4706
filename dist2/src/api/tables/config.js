import { accessModes, formatAge } from "./format.js";
import { AGE_COLUMN, NAME_COLUMN, column } from "./table.js";
const storageClass = (o, specClass) => o.metadata.annotations?.["volume.beta.kubernetes.io/storage-class"] ?? specClass ?? "";
export const persistentVolumePrinter = {
    columns: [
        NAME_COLUMN,
        column("Capacity", "The capacity of the volume."),
        column("Access Modes", "The ways the volume can be mounted."),
        column("Reclaim Policy", "What happens to the volume when released from its claim."),
        column("Status", "The phase of the volume."),
        column("Claim", "The claim bound to the volume."),
        column("StorageClass", "The storage class of the volume."),
        column("VolumeAttributesClass", "The volume attributes class of the volume."),
        column("Reason", "Why the volume is in this phase."),
        AGE_COLUMN,
        column("VolumeMode", "Whether the volume is a filesystem or a block device.", { priority: 1 }),
    ],
    cells(pv, now) {
        const ref = pv.spec.claimRef;
        const claim = ref ? `${ref.namespace ?? ""}/${ref.name ?? ""}` : "";
        const phase = pv.metadata.deletionTimestamp ? "Terminating" : pv.status?.phase ?? "";
        const vac = pv.spec.volumeAttributesClassName ?? "<unset>";
        return [
            pv.metadata.name ?? "",
            pv.spec.capacity?.storage ?? "0",
            accessModes(pv.spec.accessModes),
            pv.spec.persistentVolumeReclaimPolicy ?? "",
            phase,
            claim,
            storageClass(pv, pv.spec.storageClassName),
            vac,
            pv.status?.reason ?? "",
            formatAge(pv.metadata.creationTimestamp, now),
            pv.spec.volumeMode ?? "<unset>",
        ];
    },
};
export const persistentVolumeClaimPrinter = {
    columns: [
        NAME_COLUMN,
        column("Status", "The phase of the claim."),
        column("Volume", "The volume bound to the claim."),
        column("Capacity", "The capacity of the bound volume."),
        column("Access Modes", "The ways the volume can be mounted."),
        column("StorageClass", "The storage class of the claim."),
        column("VolumeAttributesClass", "The volume attributes class of the claim."),
        AGE_COLUMN,
        column("VolumeMode", "Whether the volume is a filesystem or a block device.", { priority: 1 }),
    ],
    cells(pvc, now) {
        const bound = Boolean(pvc.spec.volumeName);
        const vac = pvc.spec.volumeAttributesClassName || "<unset>";
        return [
            pvc.metadata.name ?? "",
            pvc.metadata.deletionTimestamp ? "Terminating" : pvc.status?.phase ?? "",
            pvc.spec.volumeName ?? "",
            bound ? pvc.status?.capacity?.storage ?? "0" : "",
            bound ? accessModes(pvc.status?.accessModes) : "",
            storageClass(pvc, pvc.spec.storageClassName),
            vac,
            formatAge(pvc.metadata.creationTimestamp, now),
            pvc.spec.volumeMode ?? "<unset>",
        ];
    },
};
export const configMapPrinter = {
    columns: [NAME_COLUMN, column("Data", "Number of entries in the config map.", { type: "integer" }), AGE_COLUMN],
    cells(cm, now) {
        const n = Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length;
        return [cm.metadata.name ?? "", n, formatAge(cm.metadata.creationTimestamp, now)];
    },
};
export const secretPrinter = {
    columns: [
        NAME_COLUMN,
        column("Type", "The type of secret"),
        column("Data", "The number of entries in the secret", { type: "integer" }),
        AGE_COLUMN,
    ],
    cells(s, now) {
        return [s.metadata.name ?? "", s.type ?? "Opaque", Object.keys(s.data ?? {}).length, formatAge(s.metadata.creationTimestamp, now)];
    },
};
//# sourceMappingURL=config.js.map