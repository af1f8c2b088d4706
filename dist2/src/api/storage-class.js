/**
 * StorageClass (storage.k8s.io/v1): defaulting and validation as the API server does them (SetDefaults_StorageClass
 * in pkg/apis/storage/v1/defaults.go, ValidateStorageClass(Update) in pkg/apis/storage/validation/validation.go),
 * and the default class annotation the DefaultStorageClass admission plugin reads.
 */
import { forbidden, invalidEach, notSupported, required } from "./field.js";
import { deepEqual } from "./json.js";
import { validateObjectMeta, validateObjectMetaUpdate } from "./meta-validation.js";
import { isQualifiedName, nameIsDNSSubdomain } from "./names.js";
import { strategy } from "./strategy.js";
export const DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class";
/** The beta annotation Kubernetes still honours. */
const BETA_DEFAULT_CLASS_ANNOTATION = "storageclass.beta.kubernetes.io/is-default-class";
const RECLAIM = ["Delete", "Retain"];
const BINDING_MODES = ["Immediate", "WaitForFirstConsumer"];
const MAX_PARAMETERS = 512;
const MAX_PARAMETERS_BYTES = 256 * 1024;
/** True when the class carries the default-class annotation with value "true" (either spelling). */
export function isDefaultClass(sc) {
    const a = sc.metadata.annotations ?? {};
    return a[DEFAULT_CLASS_ANNOTATION] === "true" || a[BETA_DEFAULT_CLASS_ANNOTATION] === "true";
}
/**
 * The class the DefaultStorageClass admission plugin assigns: of several defaults, the newest (then the first by
 * name), as GetDefaultClass in plugin/pkg/admission/storage/storageclass/setdefault does since 1.26.
 */
export function defaultClass(classes) {
    const defaults = classes.filter(isDefaultClass);
    defaults.sort((a, b) => (b.metadata.creationTimestamp ?? "").localeCompare(a.metadata.creationTimestamp ?? "") || (a.metadata.name ?? "").localeCompare(b.metadata.name ?? ""));
    return defaults[0];
}
export function validateStorageClass(sc) {
    const errs = validateObjectMeta(sc.metadata, false, nameIsDNSSubdomain);
    if (!sc.provisioner)
        errs.push(required("provisioner"));
    else
        errs.push(...invalidEach("provisioner", sc.provisioner, isQualifiedName(sc.provisioner.toLowerCase())));
    const params = Object.entries(sc.parameters ?? {});
    if (params.length > MAX_PARAMETERS)
        errs.push(forbidden("parameters", `may not contain more than ${MAX_PARAMETERS} parameters`));
    const size = params.reduce((n, [k, v]) => n + k.length + v.length, 0);
    if (size > MAX_PARAMETERS_BYTES)
        errs.push(forbidden("parameters", `may not exceed ${MAX_PARAMETERS_BYTES} bytes`));
    for (const [k] of params)
        if (!k)
            errs.push(required("parameters", "parameter name must not be empty"));
    if (sc.reclaimPolicy && !RECLAIM.includes(sc.reclaimPolicy))
        errs.push(notSupported("reclaimPolicy", sc.reclaimPolicy, RECLAIM));
    if (!sc.volumeBindingMode)
        errs.push(required("volumeBindingMode"));
    else if (!BINDING_MODES.includes(sc.volumeBindingMode))
        errs.push(notSupported("volumeBindingMode", sc.volumeBindingMode, BINDING_MODES));
    return errs;
}
/** Parameters, provisioner, reclaim policy and binding mode are immutable (ValidateStorageClassUpdate). */
export function validateStorageClassUpdate(sc, old) {
    const errs = [...validateObjectMetaUpdate(sc.metadata, old.metadata), ...validateStorageClass(sc)];
    if (!deepEqual(sc.parameters ?? {}, old.parameters ?? {}))
        errs.push(forbidden("parameters", "updates to parameters are forbidden."));
    if (sc.provisioner !== old.provisioner)
        errs.push(forbidden("provisioner", "updates to provisioner are forbidden."));
    if (sc.reclaimPolicy !== old.reclaimPolicy)
        errs.push(forbidden("reclaimPolicy", "updates to reclaimPolicy are forbidden."));
    if (sc.volumeBindingMode !== old.volumeBindingMode)
        errs.push(forbidden("volumeBindingMode", "field is immutable"));
    return errs;
}
/** Reclaim policy Delete and binding mode Immediate unless given. */
export const storageClassStrategy = strategy({
    hasStatus: false,
    defaults: (sc) => {
        sc.reclaimPolicy ??= "Delete";
        sc.volumeBindingMode ??= "Immediate";
    },
    validateCreate: validateStorageClass,
    validateUpdate: validateStorageClassUpdate,
});
//# sourceMappingURL=storage-class.js.map