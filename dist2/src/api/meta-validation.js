/**
 * Validation of metadata shared by every kind: object names, namespaces, labels, annotations, owner references,
 * finalizers (apimachinery pkg/api/validation/objectmeta.go), and label selectors
 * (pkg/apis/meta/v1/validation/validation.go).
 */
import { child, duplicate, forbidden, immutable, index, invalid, invalidEach, required, tooLong, } from "./field.js";
import { semanticEqual } from "./json.js";
import { isAnnotationKey, isLabelValue, isQualifiedName, nameIsDNSLabel } from "./names.js";
const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;
/** Label maps (metadata.labels, nodeSelector, Service selector): keys are qualified names, values label values. */
export function validateLabels(labels, path) {
    const errs = [];
    for (const [k, v] of Object.entries(labels ?? {})) {
        errs.push(...invalidEach(path, k, isQualifiedName(k)));
        errs.push(...invalidEach(path, v, isLabelValue(v)));
    }
    return errs;
}
/** Annotation keys are qualified names (case-insensitive); all annotations together stay under 256 KiB. */
export function validateAnnotations(annotations, path) {
    const errs = [];
    let size = 0;
    for (const [k, v] of Object.entries(annotations ?? {})) {
        errs.push(...invalidEach(path, k, isAnnotationKey(k)));
        size += k.length + v.length;
    }
    if (size > TOTAL_ANNOTATION_SIZE_LIMIT)
        errs.push(tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT));
    return errs;
}
function validateOwnerReferences(refs, path) {
    const errs = [];
    let controller = "";
    for (const ref of refs ?? []) {
        if (!ref.apiVersion || ref.apiVersion.endsWith("/"))
            errs.push(invalid(child(path, "apiVersion"), ref.apiVersion ?? "", "version must not be empty"));
        if (!ref.kind)
            errs.push(invalid(child(path, "kind"), ref.kind ?? "", "kind must not be empty"));
        if (!ref.name)
            errs.push(invalid(child(path, "name"), ref.name ?? "", "name must not be empty"));
        if (!ref.uid)
            errs.push(invalid(child(path, "uid"), ref.uid ?? "", "uid must not be empty"));
        if (ref.apiVersion === "v1" && ref.kind === "Event") {
            errs.push(invalid(path, ref, "/v1, Kind=Event is disallowed from being an owner"));
        }
        if (ref.controller) {
            const name = `${ref.kind}/${ref.name}`;
            if (controller) {
                errs.push(invalid(path, refs, `Only one reference can have Controller set to true. Found "true" in references for ${controller} and ${name}`));
            }
            else
                controller = name;
        }
    }
    return errs;
}
const STANDARD_FINALIZERS = new Set(["kubernetes", "orphan", "foregroundDeletion"]);
/** Finalizers are qualified names; unprefixed ones must be standard (kubernetes, orphan, foregroundDeletion). */
export function validateFinalizers(finalizers, path) {
    const errs = [];
    for (const [i, f] of (finalizers ?? []).entries()) {
        const p = index(path, i);
        errs.push(...invalidEach(p, f, isQualifiedName(f)));
        if (!f.includes("/") && !STANDARD_FINALIZERS.has(f)) {
            errs.push(invalid(p, f, "name is neither a standard finalizer name nor is it fully qualified"));
        }
    }
    const set = new Set(finalizers ?? []);
    if (set.has("orphan") && set.has("foregroundDeletion")) {
        errs.push(invalid(path, finalizers, "finalizer orphan and foregroundDeletion cannot be both set"));
    }
    return errs;
}
/**
 * ValidateObjectMeta: name (or generateName) by the kind's rule, namespace present and a DNS-1123 label for
 * namespaced kinds and absent otherwise, labels, annotations, owner references and finalizers.
 */
export function validateObjectMeta(meta, namespaced, nameFn, path = "metadata") {
    const m = meta ?? {};
    const errs = [];
    if (m.generateName)
        errs.push(...invalidEach(child(path, "generateName"), m.generateName, nameFn(m.generateName, true)));
    if (!m.name)
        errs.push(required(child(path, "name"), "name or generateName is required"));
    else
        errs.push(...invalidEach(child(path, "name"), m.name, nameFn(m.name, false)));
    if (namespaced) {
        if (!m.namespace)
            errs.push(required(child(path, "namespace")));
        else
            errs.push(...invalidEach(child(path, "namespace"), m.namespace, nameIsDNSLabel(m.namespace, false)));
    }
    else if (m.namespace) {
        errs.push(forbidden(child(path, "namespace"), "not allowed on this type"));
    }
    if (m.generation !== undefined && m.generation < 0) {
        errs.push(invalid(child(path, "generation"), m.generation, "must be greater than or equal to 0"));
    }
    errs.push(...validateLabels(m.labels, child(path, "labels")));
    errs.push(...validateAnnotations(m.annotations, child(path, "annotations")));
    errs.push(...validateOwnerReferences(m.ownerReferences, child(path, "ownerReferences")));
    errs.push(...validateFinalizers(m.finalizers, child(path, "finalizers")));
    return errs;
}
/** ValidateObjectMetaUpdate: identity and timestamps are immutable; labels and annotations must stay valid. */
export function validateObjectMetaUpdate(meta, old, path = "metadata") {
    const m = meta ?? {};
    const o = old ?? {};
    const errs = [];
    for (const f of ["name", "namespace", "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds"]) {
        if (!semanticEqual(m[f], o[f]))
            errs.push(immutable(child(path, f), m[f] ?? ""));
    }
    if (o.deletionTimestamp) {
        const added = (m.finalizers ?? []).filter((f) => !(o.finalizers ?? []).includes(f));
        if (added.length) {
            errs.push(forbidden(child(path, "finalizers"), `no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}`));
        }
    }
    errs.push(...validateLabels(m.labels, child(path, "labels")));
    errs.push(...validateAnnotations(m.annotations, child(path, "annotations")));
    errs.push(...validateOwnerReferences(m.ownerReferences, child(path, "ownerReferences")));
    return errs;
}
/** A label selector: matchLabels as labels, matchExpressions with a known operator and consistent values. */
export function validateLabelSelector(sel, path) {
    if (!sel)
        return [];
    const errs = validateLabels(sel.matchLabels, child(path, "matchLabels"));
    for (const [i, req] of (sel.matchExpressions ?? []).entries()) {
        const p = index(child(path, "matchExpressions"), i);
        const values = req.values ?? [];
        if (req.operator === "In" || req.operator === "NotIn") {
            if (values.length === 0)
                errs.push(required(child(p, "values"), "must be specified when `operator` is 'In' or 'NotIn'"));
        }
        else if (req.operator === "Exists" || req.operator === "DoesNotExist") {
            if (values.length > 0)
                errs.push(forbidden(child(p, "values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        }
        else {
            errs.push(invalid(child(p, "operator"), req.operator, "not a valid selector operator"));
        }
        errs.push(...invalidEach(child(p, "key"), req.key, isQualifiedName(req.key ?? "")));
        values.forEach((v, j) => errs.push(...invalidEach(index(child(p, "values"), j), v, isLabelValue(v))));
    }
    return errs;
}
/** Duplicate detection helper: returns a Duplicate error when `value` was seen, otherwise records it. */
export function checkUnique(seen, value, path) {
    if (seen.has(value))
        return [duplicate(path, value)];
    seen.add(value);
    return [];
}
//# sourceMappingURL=meta-validation.js.map