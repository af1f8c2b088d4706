/**
 * PersistentVolume and PersistentVolumeClaim defaulting and validation (SetDefaults_PersistentVolume,
 * SetDefaults_PersistentVolumeClaimSpec, ValidatePersistentVolume, ValidatePersistentVolumeClaim(Update) in
 * pkg/apis/core/v1/defaults.go and pkg/apis/core/validation/validation.go).
 *
 * One simplification on claim updates: Kubernetes lets only a *bound* claim grow its storage request; nodelet lets
 * any claim grow (never shrink), since its single-node provisioner binds claims at once anyway.
 */
import { child, forbidden, invalid, invalidEach, notSupported, required } from "./field.js";
import { describeDiff, semanticEqual } from "./json.js";
import { validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from "./meta-validation.js";
import { isDNS1123Subdomain, nameIsDNSSubdomain } from "./names.js";
import { compareQuantity, formatQuantity, roundUpToMilli, tryParseQuantity } from "./quantity.js";
import { parseQuantityField, validatePositiveQuantity, validateResourceQuantityValue } from "./resource-validation.js";
import { strategy } from "./strategy.js";
import { validateHostPath, validateNoBacksteps } from "./volume-validation.js";
/** Access modes of volumes and claims, in the API server's (sorted) order. */
export const ACCESS_MODES = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"];
const RECLAIM_POLICIES = ["Delete", "Recycle", "Retain"];
const VOLUME_MODES = ["Block", "Filesystem"];
const PV_SOURCES = [
    "hostPath", "gcePersistentDisk", "awsElasticBlockStore", "glusterfs", "flocker", "nfs", "rbd", "quobyte", "cephfs",
    "iscsi", "cinder", "fc", "flexVolume", "azureFile", "vsphereVolume", "photonPersistentDisk", "portworxVolume",
    "azureDisk", "scaleIO", "local", "storageos", "csi",
];
/** Rounds and rewrites every quantity of a resource list as the API server stores it. */
export function canonicalizeResourceList(list) {
    for (const [k, v] of Object.entries(list ?? {})) {
        const q = tryParseQuantity(v);
        if (typeof q !== "string")
            list[k] = formatQuantity(roundUpToMilli(q));
    }
}
function validateAccessModes(modes, path, requiredDetail) {
    const errs = [];
    if (!modes?.length)
        errs.push(required(path, requiredDetail));
    for (const m of modes ?? [])
        if (!ACCESS_MODES.includes(m))
            errs.push(notSupported(path, m, ACCESS_MODES));
    const known = (modes ?? []).filter((m) => ACCESS_MODES.includes(m));
    if (known.includes("ReadWriteOncePod") && known.some((m) => m !== "ReadWriteOncePod")) {
        errs.push(forbidden(path, "may not use ReadWriteOncePod with other access modes"));
    }
    return errs;
}
function validateStorageClass(name, path) {
    return name ? invalidEach(path, name, isDNS1123Subdomain(name)) : [];
}
function validateCapacity(capacity) {
    const errs = [];
    if (!capacity || Object.keys(capacity).length === 0)
        errs.push(required("spec.capacity"));
    if (!capacity || !("storage" in capacity) || Object.keys(capacity).length > 1) {
        errs.push(notSupported("spec.capacity", capacity ?? {}, ["storage"]));
    }
    for (const [name, value] of Object.entries(capacity ?? {})) {
        const p = child("spec.capacity", name);
        const { q, errs: qerrs } = parseQuantityField(value, p);
        errs.push(...qerrs);
        if (q)
            errs.push(...validatePositiveQuantity(q, p));
    }
    return errs;
}
function validatePVSource(pv) {
    const spec = pv.spec;
    const errs = [];
    const present = PV_SOURCES.filter((s) => spec[s] !== undefined && spec[s] !== null);
    if (present.length === 0)
        errs.push(required("spec", "must specify a volume type"));
    present.slice(1).forEach((s) => errs.push(forbidden(child("spec", s), "may not specify more than 1 volume type")));
    if (present[0] === "hostPath")
        errs.push(...validateHostPath(pv.spec.hostPath, "spec.hostPath"));
    if (present[0] === "local") {
        const path = pv.spec.local?.path;
        if (!path)
            errs.push(required("spec.local.path"));
        else
            errs.push(...validateNoBacksteps(path, "spec.local.path"));
        if (!pv.spec.nodeAffinity)
            errs.push(required("spec.nodeAffinity", "Local volume requires node affinity"));
    }
    return errs;
}
/** ValidatePersistentVolume: access modes, capacity.storage > 0, exactly one source, enums. */
export function validatePersistentVolume(pv) {
    const errs = validateObjectMeta(pv.metadata, false, nameIsDNSSubdomain);
    if (!pv.spec)
        return [...errs, required("spec")];
    const s = pv.spec;
    errs.push(...validateAccessModes(s.accessModes, "spec.accessModes", ""));
    errs.push(...validateCapacity(s.capacity));
    if (s.persistentVolumeReclaimPolicy && !RECLAIM_POLICIES.includes(s.persistentVolumeReclaimPolicy)) {
        errs.push(notSupported("spec.persistentVolumeReclaimPolicy", s.persistentVolumeReclaimPolicy, RECLAIM_POLICIES));
    }
    errs.push(...validatePVSource(pv));
    if (s.hostPath && s.hostPath.path?.replace(/\/+$/, "") === "" && s.persistentVolumeReclaimPolicy === "Recycle") {
        errs.push(forbidden("spec.persistentVolumeReclaimPolicy", "may not be 'recycle' for a hostPath mount of '/'"));
    }
    errs.push(...validateStorageClass(s.storageClassName, "spec.storageClassName"));
    if (s.volumeMode && !VOLUME_MODES.includes(s.volumeMode))
        errs.push(notSupported("spec.volumeMode", s.volumeMode, VOLUME_MODES));
    return errs;
}
/** The volume source and mode of a PV are immutable. */
export function validatePersistentVolumeUpdate(pv, old) {
    const errs = [...validateObjectMetaUpdate(pv.metadata, old.metadata), ...validatePersistentVolume(pv)];
    const source = (v) => Object.fromEntries(PV_SOURCES.map((k) => [k, v.spec?.[k]]));
    if (!semanticEqual(source(pv), source(old))) {
        errs.push(forbidden("spec.persistentvolumesource", `spec.persistentvolumesource is immutable after creation\n${describeDiff(source(old), source(pv)).join("\n")}`));
    }
    if (!semanticEqual(pv.spec?.volumeMode, old.spec?.volumeMode))
        errs.push(invalid("volumeMode", pv.spec?.volumeMode ?? null, "field is immutable"));
    return errs;
}
/** ValidatePersistentVolumeClaim: access modes, a positive storage request, selector, class, mode. */
export function validatePersistentVolumeClaim(pvc) {
    const errs = validateObjectMeta(pvc.metadata, true, nameIsDNSSubdomain);
    if (!pvc.spec)
        return [...errs, required("spec")];
    const s = pvc.spec;
    errs.push(...validateAccessModes(s.accessModes, "spec.accessModes", "at least 1 access mode is required"));
    errs.push(...validateLabelSelector(s.selector, "spec.selector"));
    const storagePath = "spec.resources.requests.storage";
    const storage = s.resources?.requests?.["storage"];
    if (storage === undefined || storage === null)
        errs.push(required(storagePath));
    else {
        const { q, errs: qerrs } = parseQuantityField(storage, storagePath);
        errs.push(...qerrs);
        if (q) {
            const positive = validatePositiveQuantity(q, storagePath);
            errs.push(...(positive.length ? positive : validateResourceQuantityValue("storage", q, storagePath)));
        }
    }
    errs.push(...validateStorageClass(s.storageClassName, "spec.storageClassName"));
    if (s.volumeMode && !VOLUME_MODES.includes(s.volumeMode))
        errs.push(notSupported("spec.volumeMode", s.volumeMode, VOLUME_MODES));
    return errs;
}
function storageRequest(pvc) {
    const raw = pvc.spec?.resources?.requests?.["storage"];
    const q = raw === undefined ? undefined : tryParseQuantity(raw);
    return typeof q === "object" ? q : undefined;
}
/** A claim's spec is immutable except its requests (which may only grow) and a first volumeName. */
export function validatePersistentVolumeClaimUpdate(pvc, old) {
    const errs = [...validateObjectMetaUpdate(pvc.metadata, old.metadata), ...validatePersistentVolumeClaim(pvc)];
    // Only the storage request may change; put it back before comparing.
    const requests = { ...pvc.spec?.resources?.requests };
    const oldStorage = old.spec?.resources?.requests?.["storage"];
    if (oldStorage === undefined)
        delete requests["storage"];
    else
        requests["storage"] = oldStorage;
    const munged = { ...pvc.spec, resources: { ...pvc.spec?.resources, requests } };
    if (!old.spec?.volumeName)
        munged.volumeName = old.spec?.volumeName;
    if (!semanticEqual(munged, old.spec)) {
        const detail = "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims";
        errs.push(forbidden("spec", `${detail}\n${describeDiff(old.spec, munged).join("\n")}`));
    }
    const next = storageRequest(pvc);
    const prev = storageRequest(old);
    if (next && prev && compareQuantity(next, prev) < 0) {
        errs.push(forbidden("spec.resources.requests.storage", "field can not be less than previous value"));
    }
    return errs;
}
/** PV: Retain and Filesystem by default, status Pending on create. */
export const persistentVolumeStrategy = strategy({
    hasStatus: true,
    defaults: (pv) => {
        pv.spec ??= {};
        if (!pv.spec.persistentVolumeReclaimPolicy)
            pv.spec.persistentVolumeReclaimPolicy = "Retain";
        if (!pv.spec.volumeMode)
            pv.spec.volumeMode = "Filesystem";
        if (pv.spec.hostPath && pv.spec.hostPath.type === undefined)
            pv.spec.hostPath.type = "";
        canonicalizeResourceList(pv.spec.capacity);
    },
    prepareForCreate: (pv) => {
        pv.status = { phase: "Pending" };
    },
    validateCreate: validatePersistentVolume,
    validateUpdate: validatePersistentVolumeUpdate,
});
/** PVC: Filesystem by default, status Pending on create. */
export const persistentVolumeClaimStrategy = strategy({
    hasStatus: true,
    defaults: (pvc) => {
        pvc.spec ??= {};
        if (!pvc.spec.volumeMode)
            pvc.spec.volumeMode = "Filesystem";
        canonicalizeResourceList(pvc.spec.resources?.requests);
        canonicalizeResourceList(pvc.spec.resources?.limits);
    },
    prepareForCreate: (pvc) => {
        pvc.status = { phase: "Pending" };
    },
    validateCreate: validatePersistentVolumeClaim,
    validateUpdate: validatePersistentVolumeClaimUpdate,
});
//# sourceMappingURL=persistent-volume.js.map