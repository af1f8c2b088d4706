/**
 * Defaulting and validation of the small kinds: Namespace, ConfigMap, Secret and Node (ValidateNamespace,
 * ValidateConfigMap(Update), ValidateSecret(Update), ValidateNode in pkg/apis/core/validation/validation.go, and
 * the strategies' PrepareForCreate/Update in pkg/registry/core).
 */
import { child, forbidden, index, invalid, invalidEach, key, notSupported, required, tooLong } from "./field.js";
import { deepEqual } from "./json.js";
import { validateFinalizers, validateObjectMeta, validateObjectMetaUpdate } from "./meta-validation.js";
import { isConfigMapKey, isLabelValue, isQualifiedName, nameIsDNSLabel, nameIsDNSSubdomain } from "./names.js";
import { CIDR_ERROR, isCIDR } from "./ip.js";
import { canonicalizeResourceList } from "./persistent-volume.js";
import { parseQuantityField, validateResourceQuantityValue } from "./resource-validation.js";
import { strategy } from "./strategy.js";
const MAX_SECRET_SIZE = 1024 * 1024;
/** The label every namespace carries with its own name. */
export const METADATA_NAME_LABEL = "kubernetes.io/metadata.name";
// ---------------------------------------------------------------------------------------------------------------
// Namespace
function setNamespaceLabel(ns) {
    // Every namespace carries its own name as a label, so it can be selected by name (SetDefaults_Namespace).
    if (ns.metadata?.name)
        ns.metadata.labels = { ...ns.metadata.labels, [METADATA_NAME_LABEL]: ns.metadata.name };
}
/** Namespace: name label, `kubernetes` finalizer and Active phase on create; spec and status kept on update. */
export const namespaceStrategy = strategy({
    hasStatus: true,
    defaults: setNamespaceLabel,
    prepareForCreate: (ns) => {
        ns.spec = { finalizers: ["kubernetes"] };
        ns.status = { phase: "Active" };
    },
    prepareForUpdate: (ns, old) => {
        ns.spec = old.spec ?? {};
    },
    validateCreate: (ns) => [
        ...validateObjectMeta(ns.metadata, false, nameIsDNSLabel),
        ...validateFinalizers(ns.spec?.finalizers, "spec.finalizers"),
    ],
    validateUpdate: (ns, old) => validateObjectMetaUpdate(ns.metadata, old.metadata),
});
// ---------------------------------------------------------------------------------------------------------------
// ConfigMap and Secret
function validateKeys(data, path) {
    return Object.keys(data ?? {}).flatMap((k) => invalidEach(key(path, k), k, isConfigMapKey(k)));
}
/** ValidateConfigMap: config keys, no key in both data and binaryData, 1 MiB in total. */
export function validateConfigMap(cm) {
    const errs = validateObjectMeta(cm.metadata, true, nameIsDNSSubdomain);
    errs.push(...validateKeys(cm.data, "data"));
    for (const k of Object.keys(cm.data ?? {})) {
        if (cm.binaryData && k in cm.binaryData)
            errs.push(invalid(key("data", k), k, "duplicate of key present in binaryData"));
    }
    errs.push(...validateKeys(cm.binaryData, "binaryData"));
    for (const [k, v] of Object.entries(cm.binaryData ?? {})) {
        const bad = base64Error(v);
        if (bad)
            errs.push(invalid(key("binaryData", k), "<binary data>", bad));
    }
    const size = [...Object.values(cm.data ?? {}), ...Object.values(cm.binaryData ?? {})].reduce((n, v) => n + v.length, 0);
    if (size > MAX_SECRET_SIZE)
        errs.push(tooLong("", MAX_SECRET_SIZE));
    return errs;
}
/** Data of an immutable ConfigMap or Secret may not change, nor may it become mutable again. */
function validateImmutable(obj, old) {
    if (!old.immutable)
        return [];
    const errs = [];
    const msg = "field is immutable when `immutable` is set";
    if (!obj.immutable)
        errs.push(forbidden("immutable", msg));
    if (!deepEqual(obj.data ?? {}, old.data ?? {}))
        errs.push(forbidden("data", msg));
    if (!deepEqual(obj.binaryData ?? {}, old.binaryData ?? {}))
        errs.push(forbidden("binaryData", msg));
    return errs;
}
/** ConfigMap: no defaults; an immutable ConfigMap keeps its data. */
export const configMapStrategy = strategy({
    hasStatus: false,
    defaults: () => { },
    validateCreate: validateConfigMap,
    validateUpdate: (cm, old) => [...validateObjectMetaUpdate(cm.metadata, old.metadata), ...validateImmutable(cm, old), ...validateConfigMap(cm)],
});
/**
 * Why a string is not standard padded base64, in Go's words ("illegal base64 data at input byte 4"), or undefined.
 * Line breaks are ignored, as Go's decoder ignores them.
 */
export function base64Error(s) {
    const text = s.replace(/[\r\n]/g, "");
    const bad = text.search(/[^A-Za-z0-9+/=]/);
    const pad = text.indexOf("=");
    if (bad >= 0)
        return `illegal base64 data at input byte ${bad}`;
    if (pad >= 0 && (pad < text.length - 2 || !/^=*$/.test(text.slice(pad))))
        return `illegal base64 data at input byte ${pad}`;
    if (text.length % 4 !== 0)
        return `illegal base64 data at input byte ${text.length - (text.length % 4)}`;
    return undefined;
}
/** Keys a typed secret must carry (ValidateSecret). */
const REQUIRED_KEYS = {
    "kubernetes.io/dockercfg": [".dockercfg"],
    "kubernetes.io/dockerconfigjson": [".dockerconfigjson"],
    "kubernetes.io/ssh-auth": ["ssh-privatekey"],
    "kubernetes.io/tls": ["tls.crt", "tls.key"],
};
function validateSecretType(sec) {
    const data = sec.data ?? {};
    const type = sec.type ?? "";
    if (type === "kubernetes.io/service-account-token" && !sec.metadata?.annotations?.["kubernetes.io/service-account.name"]) {
        return [required("metadata.annotations[kubernetes.io/service-account.name]")];
    }
    if (type === "kubernetes.io/basic-auth" && !("username" in data) && !("password" in data)) {
        return [required(key("data", "username")), required(key("data", "password"))];
    }
    return (REQUIRED_KEYS[type] ?? []).filter((k) => !(k in data)).map((k) => required(key("data", k)));
}
/** ValidateSecret: config keys, base64 values, 1 MiB in total, the keys its type requires. */
export function validateSecret(sec) {
    const errs = validateObjectMeta(sec.metadata, true, nameIsDNSSubdomain);
    errs.push(...validateKeys(sec.data, "data"));
    let size = 0;
    for (const [k, v] of Object.entries(sec.data ?? {})) {
        const bad = base64Error(v);
        if (bad)
            errs.push(invalid(key("data", k), "<secret contents redacted>", bad));
        size += Math.floor((v.length * 3) / 4);
    }
    if (size > MAX_SECRET_SIZE)
        errs.push(tooLong("data", MAX_SECRET_SIZE));
    return [...errs, ...validateSecretType(sec)];
}
/** Secret: type Opaque by default, stringData folded into data; type and immutable data kept on update. */
export const secretStrategy = strategy({
    hasStatus: false,
    defaults: (sec) => {
        if (!sec.type)
            sec.type = "Opaque";
        // stringData is write-only: it is merged into data (base64) and never stored (v1 → internal conversion).
        if (sec.stringData) {
            sec.data ??= {};
            for (const [k, v] of Object.entries(sec.stringData))
                sec.data[k] = Buffer.from(v, "utf8").toString("base64");
            delete sec.stringData;
        }
    },
    validateCreate: validateSecret,
    validateUpdate: (sec, old) => {
        const errs = validateObjectMetaUpdate(sec.metadata, old.metadata);
        if ((sec.type ?? "") !== (old.type ?? ""))
            errs.push(invalid("type", sec.type ?? "", "field is immutable"));
        return [...errs, ...validateImmutable(sec, old), ...validateSecret(sec)];
    },
});
// ---------------------------------------------------------------------------------------------------------------
// Node
const TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"];
function validateTaints(taints, path) {
    const errs = [];
    const seen = new Set();
    (taints ?? []).forEach((t, i) => {
        const p = index(path, i);
        errs.push(...invalidEach(child(p, "key"), t.key ?? "", isQualifiedName(t.key ?? "")));
        const msgs = isLabelValue(t.value ?? "");
        if (msgs.length)
            errs.push(invalid(child(p, "value"), t.value ?? "", msgs.join(";")));
        if (!t.effect)
            errs.push(required(child(p, "effect")));
        else if (!TAINT_EFFECTS.includes(t.effect))
            errs.push(notSupported(child(p, "effect"), t.effect, TAINT_EFFECTS));
        const id = `${t.effect}/${t.key}`;
        if (seen.has(id))
            errs.push(invalid(p, t, "taints must be unique by key and effect pair"));
        seen.add(id);
    });
    return errs;
}
function validateNodeResources(node) {
    const errs = [];
    for (const field of ["capacity", "allocatable"]) {
        for (const [name, value] of Object.entries(node.status?.[field] ?? {})) {
            const p = child("status", field, name);
            const { q, errs: qerrs } = parseQuantityField(value, p);
            errs.push(...qerrs);
            if (q)
                errs.push(...validateResourceQuantityValue(name, q, p));
        }
    }
    return errs;
}
/** ValidateNode: name, taints, pod CIDRs and non-negative capacity and allocatable. */
export function validateNode(node) {
    const errs = validateObjectMeta(node.metadata, false, nameIsDNSSubdomain);
    errs.push(...validateTaints(node.spec?.taints, "spec.taints"));
    errs.push(...validateNodeResources(node));
    (node.spec?.podCIDRs ?? []).forEach((c, i) => isCIDR(c) || errs.push(invalid(index("spec.podCIDRs", i), c, CIDR_ERROR)));
    return errs;
}
function validateNodeUpdate(node, old) {
    const errs = [...validateObjectMetaUpdate(node.metadata, old.metadata), ...validateNode(node)];
    const oldCIDRs = old.spec?.podCIDRs ?? [];
    if (oldCIDRs.length && !deepEqual(oldCIDRs, node.spec?.podCIDRs ?? [])) {
        errs.push(forbidden("spec.podCIDRs", 'node updates may not change podCIDR except from "" to valid'));
    }
    return errs;
}
/** Node: capacity and allocatable written canonically, allocatable defaulted from capacity. */
export const nodeStrategy = strategy({
    hasStatus: true,
    defaults: (node) => {
        const status = node.status;
        if (status?.capacity)
            canonicalizeResourceList(status.capacity);
        if (status?.allocatable)
            canonicalizeResourceList(status.allocatable);
        // SetDefaults_NodeStatus: allocatable is the capacity until the kubelet reports otherwise.
        if (status && !status.allocatable && status.capacity)
            status.allocatable = { ...status.capacity };
    },
    validateCreate: validateNode,
    validateUpdate: validateNodeUpdate,
});
//# sourceMappingURL=misc-kinds.js.map