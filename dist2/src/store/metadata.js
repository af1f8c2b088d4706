/**
 * Kubernetes metadata rules the store applies on every write, kept pure so they can be tested alone:
 * uid, creationTimestamp, generateName, generation bumps, and object comparison that ignores key order.
 */
import { randomUUID, randomInt } from "node:crypto";
/** RFC 3339 with second precision, as metav1.Time marshals: `2026-11-27T04:19:27Z`. */
export function rfc3339(d) {
    return d.toISOString().replace(/\.\d+Z$/, "Z");
}
export function newUid() {
    return randomUUID();
}
// The alphabet of k8s.io/apimachinery/pkg/util/rand.String: no vowels (no words), no ambiguous 0/1/3.
const ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789";
/** `generateName` plus five random characters, as names.SimpleNameGenerator does. */
export function generateName(prefix) {
    let suffix = "";
    for (let i = 0; i < 5; i++)
        suffix += ALPHANUMS[randomInt(ALPHANUMS.length)];
    return prefix + suffix;
}
/** JSON with object keys sorted, so two objects compare equal regardless of key order. */
export function canonicalJson(value) {
    return JSON.stringify(value, (_key, v) => {
        if (v === null || typeof v !== "object" || Array.isArray(v))
            return v;
        const sorted = {};
        for (const k of Object.keys(v).sort())
            sorted[k] = v[k];
        return sorted;
    });
}
/**
 * True when anything but metadata and status differs: the rule for bumping metadata.generation
 * (https://kubernetes.io/docs/reference/using-api/api-concepts/ — generation tracks the desired state).
 */
export function desiredStateChanged(a, b) {
    return canonicalJson(withoutMetaAndStatus(a)) !== canonicalJson(withoutMetaAndStatus(b));
}
function withoutMetaAndStatus(o) {
    const { metadata: _m, status: _s, ...rest } = o;
    return rest;
}
/** True when two stored objects are the same apart from their resourceVersion: such an update is a no-op. */
export function sameObject(a, b) {
    const strip = (o) => ({ ...o, metadata: { ...o.metadata, resourceVersion: undefined } });
    return canonicalJson(strip(a)) === canonicalJson(strip(b));
}
/** A deep copy through JSON: stored objects are JSON by definition, and this drops undefined fields. */
export function cloneObject(o) {
    return JSON.parse(JSON.stringify(o));
}
//# sourceMappingURL=metadata.js.map