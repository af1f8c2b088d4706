/**
 * Validation of pod volumes and of the containers' volumeMounts / volumeDevices (ValidateVolumes,
 * validateVolumeSource, ValidateVolumeMounts in pkg/apis/core/validation/validation.go).
 *
 * Stricter than Kubernetes where nodelet, being the runtime, would fail anyway: hostPath paths and mountPaths must
 * be absolute (Kubernetes leaves that to the runtime), and emptyDir.medium must be one nodelet knows.
 */
import { child, duplicate, forbidden, index, invalid, invalidEach, notFound, notSupported, required, } from "./field.js";
import { RESOURCE_FIELD_PATHS, VOLUME_FIELD_PATHS } from "./downward-api.js";
import { isConfigMapKey, isDNS1123Label, isDNS1123Subdomain, isQualifiedName } from "./names.js";
import { VOLUME_SOURCE_FIELDS } from "./pod-defaults.js";
import { compareQuantity, tryParseQuantity } from "./quantity.js";
const HOST_PATH_TYPES = ["", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"];
const FILE_MODE_MSG = "must be a number between 0 and 0777 (octal), both inclusive";
/** No `..` path element (validatePathNoBacksteps). */
export function validateNoBacksteps(p, path) {
    return p.split("/").includes("..") ? [invalid(path, p, "must not contain '..'")] : [];
}
/** Relative and without `..` (validateLocalDescendingPath): subPath, item paths. */
export function validateLocalDescendingPath(p, path) {
    const errs = [];
    if (p.startsWith("/"))
        errs.push(invalid(path, p, "must be a relative path"));
    return [...errs, ...validateNoBacksteps(p, path)];
}
function validateLocalNonReservedPath(p, path) {
    const errs = validateLocalDescendingPath(p, path);
    if (p.startsWith("..") && !p.startsWith("../"))
        errs.push(invalid(path, p, "must not start with '..'"));
    return errs;
}
export function validateHostPath(hp, path) {
    if (!hp.path)
        return [required(child(path, "path"))];
    const errs = validateNoBacksteps(hp.path, child(path, "path"));
    if (!hp.path.startsWith("/"))
        errs.push(invalid(child(path, "path"), hp.path, "must be an absolute path"));
    if (hp.type !== undefined && !HOST_PATH_TYPES.includes(hp.type)) {
        errs.push(notSupported(child(path, "type"), hp.type, HOST_PATH_TYPES));
    }
    return errs;
}
function validateMode(mode, path) {
    return mode !== undefined && (mode < 0 || mode > 0o777) ? [invalid(path, mode, FILE_MODE_MSG)] : [];
}
/** validateKeyToPath: a key, a safe relative path, a mode in range. */
function validateKeyToPath(kp, p) {
    const errs = [];
    if (!kp.key)
        errs.push(required(child(p, "key")));
    if (!kp.path)
        errs.push(required(child(p, "path")));
    errs.push(...validateLocalNonReservedPath(kp.path ?? "", child(p, "path")));
    return [...errs, ...validateMode(kp.mode, child(p, "mode"))];
}
function validateItems(items, path) {
    return (items ?? []).flatMap((kp, i) => validateKeyToPath(kp, index(path, i)));
}
function validateEmptyDir(v, path) {
    const errs = [];
    const medium = v.medium ?? "";
    if (medium !== "" && medium !== "Memory" && medium !== "HugePages" && !String(medium).startsWith("HugePages-")) {
        errs.push(notSupported(child(path, "medium"), medium, ["", "Memory", "HugePages"]));
    }
    if (v.sizeLimit !== undefined && v.sizeLimit !== null) {
        const q = tryParseQuantity(v.sizeLimit);
        if (typeof q === "string")
            errs.push(invalid(child(path, "sizeLimit"), v.sizeLimit, q));
        else if (compareQuantity(q, { nanos: 0n, format: "DecimalSI" }) < 0) {
            errs.push(forbidden(child(path, "sizeLimit"), "SizeLimit field must be a valid resource quantity"));
        }
    }
    return errs;
}
/** Checks one source: the ones nodelet mounts in depth, the others only for being present. */
function validateSource(v, source, path) {
    switch (source) {
        case "emptyDir":
            return validateEmptyDir(v.emptyDir, path);
        case "hostPath":
            return validateHostPath(v.hostPath, path);
        case "persistentVolumeClaim":
            return v.persistentVolumeClaim.claimName ? [] : [required(child(path, "claimName"))];
        case "secret": {
            const s = v.secret;
            const errs = s.secretName ? [] : [required(child(path, "secretName"))];
            return [...errs, ...validateMode(s.defaultMode, child(path, "defaultMode")), ...validateItems(s.items, child(path, "items"))];
        }
        case "configMap": {
            const c = v.configMap;
            const errs = c.name ? [] : [required(child(path, "name"))];
            return [...errs, ...validateMode(c.defaultMode, child(path, "defaultMode")), ...validateItems(c.items, child(path, "items"))];
        }
        case "downwardAPI": {
            const d = v.downwardAPI;
            const errs = validateMode(d.defaultMode, child(path, "defaultMode"));
            // Kubernetes reports an item's errors at the source's path, not at items[i] (validateDownwardAPIVolumeSource).
            for (const item of d.items ?? [])
                errs.push(...validateDownwardAPIVolumeFile(item, path));
            return errs;
        }
        case "projected": {
            const p = v.projected;
            return [...validateMode(p.defaultMode, child(path, "defaultMode")), ...validateProjectionSources(p, path)];
        }
        default:
            return [];
    }
}
/** validateDownwardAPIVolumeFile: a safe path, exactly one of fieldRef (metadata only) and resourceFieldRef. */
function validateDownwardAPIVolumeFile(file, path) {
    const errs = [];
    if (!file.path)
        errs.push(required(child(path, "path")));
    errs.push(...validateLocalNonReservedPath(file.path ?? "", child(path, "path")));
    if (file.fieldRef) {
        errs.push(...validateVolumeFieldRef(file.fieldRef, child(path, "fieldRef")));
        if (file.resourceFieldRef)
            errs.push(invalid(path, "resource", "fieldRef and resourceFieldRef can not be specified simultaneously"));
    }
    else if (file.resourceFieldRef) {
        errs.push(...validateResourceFieldRef(file.resourceFieldRef, child(path, "resourceFieldRef"), true));
    }
    else {
        errs.push(required(path, "one of fieldRef and resourceFieldRef is required"));
    }
    return [...errs, ...validateMode(file.mode, child(path, "mode"))];
}
/** validateObjectFieldSelector with the paths a volume file may read (labels and annotations subscripted or whole). */
function validateVolumeFieldRef(ref, path) {
    const fp = ref.fieldPath;
    if (!fp)
        return [required(child(path, "fieldPath"))];
    const m = /^(metadata\.(?:labels|annotations))\['(.*)'\]$/.exec(fp);
    if (m)
        return invalidEach(path, m[2], isQualifiedName(m[1] === "metadata.annotations" ? m[2].toLowerCase() : m[2]));
    return VOLUME_FIELD_PATHS.includes(fp) ? [] : [notSupported(child(path, "fieldPath"), fp, VOLUME_FIELD_PATHS)];
}
const CPU_DIVISORS = ["1m", "1"];
const BYTE_DIVISORS = ["1", "1k", "1M", "1G", "1T", "1P", "1E", "1Ki", "1Mi", "1Gi", "1Ti", "1Pi", "1Ei"];
/** validateContainerResourceFieldSelector: a known resource, the divisors Kubernetes accepts; volumes name the container. */
export function validateResourceFieldRef(ref, path, volume) {
    const errs = [];
    if (volume && !ref.containerName)
        errs.push(required(child(path, "containerName")));
    if (!ref.resource)
        return [...errs, required(child(path, "resource"))];
    if (!RESOURCE_FIELD_PATHS.includes(ref.resource) && !ref.resource.startsWith("limits.hugepages-") && !ref.resource.startsWith("requests.hugepages-")) {
        return [...errs, notSupported(child(path, "resource"), ref.resource, RESOURCE_FIELD_PATHS)];
    }
    if (ref.divisor === undefined)
        return errs;
    const d = String(ref.divisor);
    const cpu = ref.resource.endsWith(".cpu");
    const ok = cpu ? CPU_DIVISORS : BYTE_DIVISORS;
    const q = tryParseQuantity(d);
    if (typeof q === "string" || !ok.some((o) => compareQuantity(q, tryParseQuantity(o)) === 0)) {
        const what = cpu ? "cpu" : ref.resource.endsWith(".memory") ? "memory" : ref.resource.endsWith(".ephemeral-storage") ? "local ephemeral storage" : "hugepages";
        errs.push(invalid(child(path, "divisor"), d, `only divisor's values ${ok.join(", ")} are supported with the ${what} resource`));
    }
    return errs;
}
/**
 * validateProjectionSources: one kind per source, items as for the volumes, no path twice across the sources,
 * token lifetimes between 10 minutes and 2^32 seconds.
 */
function validateProjectionSources(p, path) {
    const errs = [];
    const paths = new Set();
    const claim = (file, value) => {
        if (!file)
            return;
        if (paths.has(file))
            errs.push(invalid(path, value, "conflicting duplicate paths"));
        paths.add(file);
    };
    for (const [i, s] of (p.sources ?? []).entries()) {
        const sp = index(child(path, "sources"), i);
        let kinds = 0;
        for (const kind of ["secret", "configMap"]) {
            const src = s[kind];
            if (!src)
                continue;
            kinds++;
            if (!src.name)
                errs.push(required(child(sp, kind, "name")));
            for (const [j, kp] of (src.items ?? []).entries()) {
                errs.push(...validateKeyToPath(kp, index(child(sp, kind, "items"), j)));
                claim(kp.path, src.name);
            }
        }
        if (s.downwardAPI) {
            kinds++;
            for (const f of s.downwardAPI.items ?? []) {
                errs.push(...validateDownwardAPIVolumeFile(f, child(sp, "downwardAPI")));
                claim(f.path, f.path);
            }
        }
        if (s.serviceAccountToken) {
            kinds++;
            const t = s.serviceAccountToken;
            const secs = t.expirationSeconds ?? 3600;
            const tp = child(sp, "serviceAccountToken");
            if (secs < 600)
                errs.push(invalid(child(tp, "expirationSeconds"), secs, "may not specify a duration less than 10 minutes"));
            if (secs > 2 ** 32)
                errs.push(invalid(child(tp, "expirationSeconds"), secs, "may not specify a duration larger than 2^32 seconds"));
            if (!t.path)
                errs.push(required(child(path, "path")));
            else
                errs.push(...validateLocalNonReservedPath(t.path, child(tp, "path")));
            claim(t.path, t.path);
        }
        if (s.clusterTrustBundle !== undefined)
            kinds++;
        if (kinds > 1)
            errs.push(forbidden(sp, "may not specify more than 1 volume type per source"));
    }
    return errs;
}
/** Exactly one volume source: a second one is Forbidden, none is Required. */
function validateVolumeSource(v, path) {
    const raw = v;
    const errs = [];
    let count = 0;
    for (const source of VOLUME_SOURCE_FIELDS) {
        if (raw[source] === undefined || raw[source] === null)
            continue;
        if (count++ > 0) {
            errs.push(forbidden(child(path, source), "may not specify more than 1 volume type"));
            continue;
        }
        errs.push(...validateSource(v, source, child(path, source)));
    }
    if (count === 0)
        errs.push(required(path, "must specify a volume type"));
    return errs;
}
/** Volumes: unique DNS-1123 label names, exactly one valid source. Returns the names of the valid volumes. */
export function validateVolumes(volumes, path) {
    const names = new Map();
    const errs = [];
    for (const [i, v] of (volumes ?? []).entries()) {
        const p = index(path, i);
        const namePath = child(p, "name");
        const el = validateVolumeSource(v, p);
        if (!v.name)
            el.push(required(namePath));
        else
            el.push(...invalidEach(namePath, v.name, isDNS1123Label(v.name)));
        if (names.has(v.name))
            el.push(duplicate(namePath, v.name));
        if (el.length === 0)
            names.set(v.name, v);
        errs.push(...el);
    }
    return { names, errs };
}
const PROPAGATIONS = ["Bidirectional", "HostToContainer", "None"];
function validateMountOptions(m, c, p) {
    const errs = [];
    if (m.mountPropagation !== undefined) {
        if (!PROPAGATIONS.includes(m.mountPropagation))
            errs.push(notSupported(child(p, "mountPropagation"), m.mountPropagation, PROPAGATIONS));
        else if (m.mountPropagation === "Bidirectional" && c.securityContext?.privileged !== true) {
            errs.push(forbidden(child(p, "mountPropagation"), "Bidirectional mount propagation is available only to privileged containers"));
        }
    }
    const rro = m.recursiveReadOnly;
    if (rro !== undefined && rro !== "Disabled") {
        if (rro !== "Enabled" && rro !== "IfPossible") {
            errs.push(notSupported(child(p, "recursiveReadOnly"), rro, ["Disabled", "Enabled", "IfPossible"]));
        }
        else if (!m.readOnly)
            errs.push(forbidden(child(p, "recursiveReadOnly"), "may only be specified when readOnly is true"));
    }
    return errs;
}
function validateMount(m, volumes, c, p) {
    const errs = [];
    if (!m.name)
        errs.push(required(child(p, "name")));
    if (!volumes.has(m.name))
        errs.push(notFound(child(p, "name"), m.name ?? ""));
    if (!m.mountPath)
        errs.push(required(child(p, "mountPath")));
    else if (!m.mountPath.startsWith("/"))
        errs.push(invalid(child(p, "mountPath"), m.mountPath, "must be an absolute path"));
    if (m.subPath)
        errs.push(...validateLocalDescendingPath(m.subPath, child(p, "subPath")));
    if (m.subPathExpr) {
        if (m.subPath)
            errs.push(invalid(child(p, "subPathExpr"), m.subPathExpr, "subPathExpr and subPath are mutually exclusive"));
        errs.push(...validateLocalDescendingPath(m.subPathExpr, child(p, "subPathExpr")));
    }
    return [...errs, ...validateMountOptions(m, c, p)];
}
/** A container's volumeMounts: each names a volume, has a unique absolute mountPath and a safe subPath. */
export function validateVolumeMounts(c, volumes, path) {
    const errs = [];
    const mountPoints = new Set();
    const devices = new Map((c.volumeDevices ?? []).map((d) => [d.name, d.devicePath]));
    for (const [i, m] of (c.volumeMounts ?? []).entries()) {
        const p = index(path, i);
        errs.push(...validateMount(m, volumes, c, p));
        if (mountPoints.has(m.mountPath))
            errs.push(invalid(child(p, "mountPath"), m.mountPath, "must be unique"));
        mountPoints.add(m.mountPath);
        if (devices.has(m.name))
            errs.push(invalid(child(p, "name"), m.name, "must not already exist in volumeDevices"));
        if ([...devices.values()].includes(m.mountPath)) {
            errs.push(invalid(child(p, "mountPath"), m.mountPath, "must not already exist as a path in volumeDevices"));
        }
    }
    return errs;
}
/** A container's volumeDevices: each names a PVC volume and has a unique device path. */
export function validateVolumeDevices(c, volumes, path) {
    const errs = [];
    const devices = c.volumeDevices ?? [];
    const paths = new Set();
    const names = new Set();
    for (const [i, d] of devices.entries()) {
        const p = index(path, i);
        const vol = volumes.get(d.name);
        if (!d.name)
            errs.push(required(child(p, "name")));
        if (names.has(d.name))
            errs.push(invalid(child(p, "name"), d.name, "must be unique"));
        if (!vol)
            errs.push(notFound(child(p, "name"), d.name ?? ""));
        else if (!vol.persistentVolumeClaim) {
            errs.push(invalid(child(p, "name"), d.name, "can only use volume source type of PersistentVolumeClaim or Ephemeral for block mode"));
        }
        if (!d.devicePath)
            errs.push(required(child(p, "devicePath")));
        if (paths.has(d.devicePath))
            errs.push(invalid(child(p, "devicePath"), d.devicePath, "must be unique"));
        if (validateNoBacksteps(d.devicePath ?? "", p).length) {
            errs.push(invalid(child(p, "devicePath"), d.devicePath, "can not contain backsteps ('..')"));
        }
        else
            paths.add(d.devicePath);
        if (d.name)
            names.add(d.name);
    }
    return errs;
}
/** Names of ConfigMap/Secret references must be DNS subdomains; keys must be config keys. */
export function validateKeySelector(ref, path) {
    const errs = invalidEach(child(path, "name"), ref.name ?? "", isDNS1123Subdomain(ref.name ?? ""));
    if (!ref.key)
        errs.push(required(child(path, "key")));
    else
        errs.push(...invalidEach(child(path, "key"), ref.key, isConfigMapKey(ref.key)));
    return errs;
}
//# sourceMappingURL=volume-validation.js.map