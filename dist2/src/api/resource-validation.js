/**
 * Validation of resource names and quantities (ValidateContainerResourceRequirements, ValidateResourceQuantityValue,
 * validateContainerResourceName in pkg/apis/core/validation/validation.go).
 *
 * Deliberate differences from the API server, both for clearer messages:
 * - a quantity that does not parse is a 422 field error naming the field (the API server fails the whole decode
 *   with a 400 and no field);
 * - the path of a resource is `resources.limits.cpu` (the API server prints `resources.limits[cpu]`), and a request
 *   above its limit is reported on `resources.requests.cpu` rather than on `resources.requests`.
 */
import { child, invalid, invalidEach, forbidden, required } from "./field.js";
import { isQualifiedName } from "./names.js";
import { compareQuantity, formatQuantity, tryParseQuantity } from "./quantity.js";
export const NEGATIVE_MSG = "must be greater than or equal to 0";
const ZERO = { nanos: 0n, format: "DecimalSI" };
const STANDARD_CONTAINER_RESOURCES = new Set(["cpu", "memory", "ephemeral-storage"]);
const STANDARD_RESOURCES = new Set([
    ...STANDARD_CONTAINER_RESOURCES,
    "requests.cpu", "requests.memory", "requests.ephemeral-storage", "requests.storage",
    "limits.cpu", "limits.memory", "limits.ephemeral-storage",
    "pods", "services", "replicationcontrollers", "resourcequotas", "secrets", "configmaps",
    "persistentvolumeclaims", "storage", "services.nodeports", "services.loadbalancers",
]);
export function isHugePagesResource(name) {
    return name.startsWith("hugepages-");
}
/** Native resources are unprefixed or in the kubernetes.io domain. */
export function isNativeResource(name) {
    return !name.includes("/") || name.includes("kubernetes.io/");
}
/** Extended resources (example.com/gpu) are whole numbers and cannot be overcommitted. */
export function isExtendedResource(name) {
    return !isNativeResource(name) && !name.startsWith("requests.") && isQualifiedName(`requests.${name}`).length === 0;
}
function isOvercommitAllowed(name) {
    return isNativeResource(name) && !isHugePagesResource(name);
}
/** Parses a quantity field; a parse failure is an Invalid error carrying the API server's quantity message. */
export function parseQuantityField(value, path) {
    if (typeof value !== "string" && typeof value !== "number")
        return { errs: [invalid(path, value, "must be a quantity")] };
    const q = tryParseQuantity(value);
    return typeof q === "string" ? { errs: [invalid(path, value, q)] } : { q, errs: [] };
}
/** Non-negative (and integral for extended resources), the checks every resource quantity gets. */
export function validateResourceQuantityValue(name, q, path) {
    const errs = [];
    if (compareQuantity(q, ZERO) < 0)
        errs.push(invalid(path, formatQuantity(q), NEGATIVE_MSG));
    if (isExtendedResource(name) && q.nanos % 1000000000n !== 0n) {
        errs.push(invalid(path, formatQuantity(q), "must be an integer"));
    }
    return errs;
}
/** A quantity that must be strictly positive (PV capacity, claim requests). */
export function validatePositiveQuantity(q, path) {
    return compareQuantity(q, ZERO) <= 0 ? [invalid(path, formatQuantity(q), "must be greater than zero")] : [];
}
function validateContainerResourceName(name, path) {
    const errs = invalidEach(path, name, isQualifiedName(name));
    if (errs.length)
        return errs;
    if (!name.includes("/")) {
        if (!STANDARD_RESOURCES.has(name) && !isHugePagesResource(name)) {
            errs.push(invalid(path, name, "must be a standard resource type or fully qualified"));
        }
        if (!STANDARD_CONTAINER_RESOURCES.has(name) && !isHugePagesResource(name)) {
            errs.push(invalid(path, name, "must be a standard resource for containers"));
        }
    }
    else if (!isNativeResource(name) && !isExtendedResource(name)) {
        errs.push(invalid(path, name, "doesn't follow extended resource name standard"));
    }
    return errs;
}
function validateList(list, path) {
    const values = new Map();
    const errs = [];
    for (const [name, raw] of Object.entries(list ?? {})) {
        const p = child(path, name);
        errs.push(...validateContainerResourceName(name, p));
        const { q, errs: qerrs } = parseQuantityField(raw, p);
        errs.push(...qerrs);
        if (!q)
            continue;
        values.set(name, q);
        errs.push(...validateResourceQuantityValue(name, q, p));
    }
    return { values, errs };
}
function requestVsLimit(name, req, limit, path, limPath) {
    if (!limit) {
        return isOvercommitAllowed(name) ? [] : [required(limPath, "Limit must be set for non overcommitable resources")];
    }
    const cmp = compareQuantity(req, limit);
    if (cmp !== 0 && !isOvercommitAllowed(name)) {
        return [invalid(path, formatQuantity(req), `must be equal to ${name} limit of ${formatQuantity(limit)}`)];
    }
    if (cmp > 0)
        return [invalid(path, formatQuantity(req), `must be less than or equal to ${name} limit of ${formatQuantity(limit)}`)];
    return [];
}
/** A container's resources: names, quantities, request ≤ limit, hugepages only alongside cpu or memory. */
export function validateResourceRequirements(r, path) {
    const limPath = child(path, "limits");
    const reqPath = child(path, "requests");
    const limits = validateList(r?.limits, limPath);
    const requests = validateList(r?.requests, reqPath);
    const errs = [...limits.errs, ...requests.errs];
    for (const [name, q] of requests.values) {
        errs.push(...requestVsLimit(name, q, limits.values.get(name), child(reqPath, name), limPath));
    }
    const names = [...limits.values.keys(), ...requests.values.keys()];
    if (names.some(isHugePagesResource) && !names.some((n) => n === "cpu" || n === "memory")) {
        errs.push(forbidden(path, "HugePages require cpu or memory"));
    }
    return errs;
}
//# sourceMappingURL=resource-validation.js.map