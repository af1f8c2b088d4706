/**
 * Generated manifests for fuzzing the API's write path (fast-check): valid Pods and Services, then mutated — a value
 * replaced by one of the wrong type, a huge or odd number, a long or non-ASCII string, a deeply nested value; a key
 * deleted or added — plus raw bodies no object can express (nesting 100,000 deep, broken JSON). And the check every
 * answer must pass: no 5xx; a refusal is a Status of the same code whose causes (422) or message (400) name the field.
 */
import fc from "fast-check";
const label = fc.stringMatching(/^[a-z]([a-z0-9-]{0,14}[a-z0-9])?$/);
const envName = fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,10}$/);
const quantity = fc.constantFrom("100m", "1", "250Mi", "1Gi", "0.5", "2", "64Ki");
const container = fc.record({
    name: label,
    image: fc.constant("busybox"),
    imagePullPolicy: fc.constant("Never"),
    command: fc.array(fc.string({ maxLength: 12 }), { maxLength: 3 }),
    env: fc.array(fc.record({ name: envName, value: fc.string({ maxLength: 12 }) }), { maxLength: 3 }),
    ports: fc.array(fc.record({ containerPort: fc.integer({ min: 1, max: 65535 }), protocol: fc.constantFrom("TCP", "UDP") }), { maxLength: 2 }),
    resources: fc.record({ limits: fc.record({ cpu: quantity, memory: quantity }), requests: fc.record({ cpu: quantity }) }, { requiredKeys: [] }),
    securityContext: fc.record({ runAsUser: fc.integer({ min: 0, max: 65535 }), readOnlyRootFilesystem: fc.boolean(), allowPrivilegeEscalation: fc.boolean() }, { requiredKeys: [] }),
    workingDir: fc.constantFrom("/", "/tmp"),
}, { requiredKeys: ["name", "image"] });
const pod = fc.record({
    apiVersion: fc.constant("v1"),
    kind: fc.constant("Pod"),
    metadata: fc.record({ name: label, labels: fc.dictionary(label, label, { maxKeys: 3 }), annotations: fc.dictionary(label, fc.string({ maxLength: 20 }), { maxKeys: 2 }) }, { requiredKeys: ["name"] }),
    spec: fc.record({
        containers: fc.uniqueArray(container, { minLength: 1, maxLength: 3, selector: (c) => c.name }),
        restartPolicy: fc.constantFrom("Always", "OnFailure", "Never"),
        terminationGracePeriodSeconds: fc.integer({ min: 0, max: 120 }),
        nodeSelector: fc.dictionary(label, label, { maxKeys: 2 }),
        dnsPolicy: fc.constantFrom("ClusterFirst", "Default", "None"),
        volumes: fc.array(fc.record({ name: label, emptyDir: fc.record({ medium: fc.constantFrom("", "Memory"), sizeLimit: quantity }, { requiredKeys: [] }) }), { maxLength: 2 }),
        hostname: label,
        activeDeadlineSeconds: fc.integer({ min: 1, max: 1000 }),
    }, { requiredKeys: ["containers"] }),
});
const service = fc.record({
    apiVersion: fc.constant("v1"),
    kind: fc.constant("Service"),
    metadata: fc.record({ name: label, labels: fc.dictionary(label, label, { maxKeys: 2 }) }, { requiredKeys: ["name"] }),
    spec: fc.record({
        type: fc.constantFrom("ClusterIP", "NodePort"),
        selector: fc.dictionary(label, label, { maxKeys: 2 }),
        ports: fc.uniqueArray(fc.record({
            name: label,
            port: fc.integer({ min: 1, max: 65535 }),
            targetPort: fc.oneof(fc.integer({ min: 1, max: 65535 }), label),
            protocol: fc.constantFrom("TCP", "UDP"),
        }), { minLength: 1, maxLength: 3, selector: (p) => p.name }),
        sessionAffinity: fc.constantFrom("None", "ClientIP"),
        publishNotReadyAddresses: fc.boolean(),
    }, { requiredKeys: ["ports"] }),
});
/** Values that do not belong where they land. */
const nasty = fc.oneof(fc.constantFrom(1e308, -1e308, 2 ** 53 + 2, -(2 ** 63), 2 ** 64, 1e21, 0.1, -1, -0, 2 ** 31, 2 ** 32 + 1, 65536, 3.5), fc.constantFrom(null, true, false, "", " ", "0", "-1", "null", "1e400", "NaN", "../../etc/passwd", "a\u0000b", "$(HOME)"), fc.integer({ min: 1000, max: 70_000 }).map((n) => "x".repeat(n)), fc.integer({ min: 100, max: 5_000 }).map((n) => "é日😀\u202e".repeat(n)), fc.string({ unit: "binary", maxLength: 40 }), fc.integer({ min: 10, max: 3000 }).map((d) => nest(d)), fc.array(fc.anything({ maxDepth: 2 }), { maxLength: 4 }), fc.object({ maxDepth: 2 }), fc.integer(), fc.double());
/** [[[…{}…]]] `depth` levels deep, alternating arrays and objects. */
function nest(depth) {
    let v = {};
    for (let i = 0; i < depth; i++)
        v = i % 2 ? { k: v } : [v];
    return v;
}
const ops = fc.array(fc.record({ kind: fc.constantFrom("set", "set", "set", "delete", "add"), at: fc.nat(), value: nasty, key: fc.oneof(label, fc.string({ maxLength: 8 })) }), { minLength: 1, maxLength: 3 });
/** Every path to a value inside `obj`, parents first (not into a value nested deeper than a manifest's fields). */
function paths(obj, prefix = [], out = []) {
    if (prefix.length)
        out.push(prefix);
    if (prefix.length >= 8)
        return out;
    if (Array.isArray(obj))
        obj.forEach((v, i) => paths(v, [...prefix, i], out));
    else if (obj && typeof obj === "object")
        for (const [k, v] of Object.entries(obj))
            paths(v, [...prefix, k], out);
    return out;
}
function mutate(base, list) {
    const obj = structuredClone(base);
    const done = [];
    for (const op of list) {
        const all = paths(obj);
        const path = all[op.at % all.length];
        const parent = path.slice(0, -1).reduce((o, k) => o[k], obj);
        const last = path[path.length - 1];
        const show = `${path.join(".")}`;
        if (op.kind === "delete") {
            if (Array.isArray(parent))
                parent.splice(last, 1);
            else
                delete parent[last];
            done.push(`delete ${show}`);
        }
        else if (op.kind === "add" && parent && typeof parent === "object" && !Array.isArray(parent)) {
            parent[op.key] = op.value;
            done.push(`add ${path.slice(0, -1).join(".")}.${op.key}`);
        }
        else {
            parent[last] = op.value;
            done.push(`set ${show}`);
        }
    }
    return { obj, how: done.join("; ") };
}
/** Raw bodies: deeper than any object the client could serialise, truncated, or not JSON at all. */
const raw = fc.oneof(fc.integer({ min: 10_000, max: 100_000 }).map((d) => ({
    resource: "pods",
    body: `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"deep"},"spec":{"containers":${"[".repeat(d)}${"]".repeat(d)}}}`,
    how: `containers nested ${d} deep`,
})), fc.integer({ min: 1, max: 60 }).map((n) => ({ resource: "services", body: `{"apiVersion":"v1","kind":"Service","spec":{"ports":[{"port":${"9".repeat(n)}`, how: "truncated JSON" })), fc.string({ unit: "binary", maxLength: 60 }).map((s) => ({ resource: "pods", body: s, how: "arbitrary text" })), fc.constantFrom("[]", "null", "1", '"pod"', "{}", '{"kind":"Pod"}', '{"metadata":null}', '{"spec":[]}').map((body) => ({ resource: "pods", body, how: "not a pod" })));
/** A generated case: mostly mutated valid objects, some valid ones, some raw bodies. */
export const fuzzCase = fc.oneof({ weight: 6, arbitrary: fc.tuple(pod, ops).map(([p, o]) => ({ resource: "pods", ...asBody(mutate(p, o)) })) }, { weight: 3, arbitrary: fc.tuple(service, ops).map(([s, o]) => ({ resource: "services", ...asBody(mutate(s, o)) })) }, { weight: 1, arbitrary: fc.oneof(pod.map((p) => ({ resource: "pods", body: JSON.stringify(p), how: "valid" })), service.map((s) => ({ resource: "services", body: JSON.stringify(s), how: "valid" }))) }, { weight: 1, arbitrary: raw });
function asBody(m) {
    return { body: JSON.stringify(m.obj), how: m.how };
}
/** The answer's problem, or undefined when it is what the API must answer. */
export function answerProblem(status, body) {
    if (status >= 500)
        return `a ${status}: ${body.slice(0, 300)}`;
    if (status < 400)
        return status === 201 ? undefined : `unexpected ${status}`;
    let s;
    try {
        s = JSON.parse(body);
    }
    catch {
        return `a ${status} whose body is not JSON: ${body.slice(0, 200)}`;
    }
    if (s.kind !== "Status" || s.code !== status)
        return `a ${status} that is not a Status of that code: ${body.slice(0, 200)}`;
    if (!s.message)
        return `a ${status} with no message`;
    if (status === 422) {
        const causes = s.details?.causes ?? [];
        if (causes.length === 0)
            return `a 422 with no causes: ${s.message.slice(0, 200)}`;
        const unnamed = causes.find((c) => !c.field);
        if (unnamed)
            return `a 422 cause with no field: ${JSON.stringify(unnamed).slice(0, 200)}`;
        return undefined;
    }
    if (status === 400 && !FIELDISH.test(s.message) && !BODY_LEVEL.test(s.message))
        return `a 400 naming no field: ${s.message.slice(0, 200)}`;
    return undefined;
}
/**
 * A field in a message: a path (`spec.containers[0].ports`, `metadata.name`, `kind`), or the words upstream's own
 * messages use for apiVersion, kind, metadata.name/namespace ("the API version in the data (…) does not match…").
 */
const FIELDISH = /\b(apiVersion|kind|metadata|spec|status|resourceVersion)\b|API version in the data|kind in the data|name of the object|namespace of the provided object/;
/** Refusals about the body as a whole, which has no field to name. */
const BODY_LEVEL = /request body|not valid JSON|must be a JSON object|body is empty/;
//# sourceMappingURL=manifest-fuzz.js.map