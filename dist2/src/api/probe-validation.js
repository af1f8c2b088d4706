/**
 * Validation of probes and lifecycle handlers (validateProbe, validateHandler, validateLivenessProbe... in
 * pkg/apis/core/validation/validation.go). Thresholds of zero never reach validation: defaulting replaced them
 * (timeout 1, period 10, success 1, failure 3), so the checks here are the API server's ones.
 */
import { child, forbidden, invalid, invalidEach, notSupported, required } from "./field.js";
import { isHTTPHeaderName, isValidPortName, isValidPortNum } from "./names.js";
const NEGATIVE_MSG = "must be greater than or equal to 0";
/** A port given as a number (1-65535) or an IANA service name of a container port. */
export function validatePortNumOrName(port, path) {
    if (typeof port === "string")
        return invalidEach(path, port, isValidPortName(port));
    return invalidEach(path, port ?? 0, isValidPortNum(port ?? 0));
}
function validateHTTPGet(h, path) {
    const errs = [];
    if (!h.path)
        errs.push(required(child(path, "path")));
    errs.push(...validatePortNumOrName(h.port, child(path, "port")));
    if (h.scheme !== "HTTP" && h.scheme !== "HTTPS")
        errs.push(notSupported(child(path, "scheme"), h.scheme ?? "", ["HTTP", "HTTPS"]));
    for (const header of h.httpHeaders ?? []) {
        errs.push(...invalidEach(child(path, "httpHeaders"), header.name, isHTTPHeaderName(header.name ?? "")));
    }
    return errs;
}
function validateSleep(seconds, grace, path) {
    if (grace === undefined || (seconds > 0 && seconds <= grace))
        return [];
    const detail = `must be greater than 0 and less than terminationGracePeriodSeconds (${grace}). Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep.`;
    return [invalid(path, seconds, detail)];
}
/** Exactly one handler; the first one found is validated, any further one is Forbidden. */
function validateHandler(h, kinds, grace, path) {
    const errs = [];
    let found = 0;
    for (const kind of kinds) {
        const value = h[kind];
        if (value === undefined || value === null)
            continue;
        const p = child(path, kind);
        if (found++ > 0) {
            errs.push(forbidden(p, "may not specify more than 1 handler type"));
            continue;
        }
        if (kind === "exec" && !(h.exec?.command?.length))
            errs.push(required(child(p, "command")));
        if (kind === "httpGet")
            errs.push(...validateHTTPGet(h.httpGet, p));
        if (kind === "tcpSocket")
            errs.push(...validatePortNumOrName(h.tcpSocket.port, child(p, "port")));
        if (kind === "grpc")
            errs.push(...validatePortNumOrName(h.grpc.port, child(p, "port")));
        if (kind === "sleep")
            errs.push(...validateSleep(h.sleep.seconds, grace, p));
    }
    if (found === 0)
        errs.push(required(path, "must specify a handler type"));
    return errs;
}
const PROBE_HANDLERS = ["exec", "httpGet", "tcpSocket", "grpc"];
const LIFECYCLE_HANDLERS = ["exec", "httpGet", "tcpSocket", "sleep"];
function validateProbe(p, grace, path) {
    const errs = validateHandler(p, PROBE_HANDLERS, grace, path);
    for (const f of ["initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"]) {
        const v = p[f];
        if (v !== undefined && v < 0)
            errs.push(invalid(child(path, f), v, NEGATIVE_MSG));
    }
    const tgps = p.terminationGracePeriodSeconds;
    if (tgps !== undefined && tgps !== null && tgps <= 0) {
        errs.push(invalid(child(path, "terminationGracePeriodSeconds"), tgps, "must be greater than 0"));
    }
    return errs;
}
/** A probe of the given kind: liveness and startup probes need successThreshold 1, readiness ones no grace period. */
export function validateProbeOfKind(kind, p, grace, path) {
    if (!p)
        return [];
    const errs = validateProbe(p, grace, path);
    if (kind !== "readinessProbe" && p.successThreshold !== 1) {
        errs.push(invalid(child(path, "successThreshold"), p.successThreshold ?? 0, "must be 1"));
    }
    if (kind === "readinessProbe" && p.terminationGracePeriodSeconds !== undefined && p.terminationGracePeriodSeconds !== null) {
        errs.push(invalid(child(path, "terminationGracePeriodSeconds"), p.terminationGracePeriodSeconds, "must not be set for readinessProbes"));
    }
    return errs;
}
/** postStart and preStop handlers. */
export function validateLifecycle(l, grace, path) {
    const errs = [];
    if (l.postStart)
        errs.push(...validateHandler(l.postStart, LIFECYCLE_HANDLERS, grace, child(path, "postStart")));
    if (l.preStop)
        errs.push(...validateHandler(l.preStop, LIFECYCLE_HANDLERS, grace, child(path, "preStop")));
    return errs;
}
//# sourceMappingURL=probe-validation.js.map