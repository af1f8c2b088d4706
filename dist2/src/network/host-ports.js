/**
 * hostPort mappings of a pod (what the CNI portmap plugin gets as runtimeConfig.portMappings), their validation,
 * and conflicts between pods — all pure. A conflict or a bad value is a FieldError naming the field, found before
 * anything is set up.
 */
import { FieldError } from "../api/errors.js";
import { parseIPv4 } from "../api/cidr.js";
/** The pod's hostPort mappings, validated; throws the first FieldError. Ports without hostPort are not mapped. */
export function podHostPorts(pod) {
    const out = [];
    pod.spec.containers.forEach((c, ci) => {
        (c.ports ?? []).forEach((p, pi) => {
            if (!p.hostPort)
                return;
            const field = `spec.containers[${ci}].ports[${pi}]`;
            const m = validateMapping(field, p.hostPort, p.containerPort, p.protocol, p.hostIP);
            const dup = out.find((o) => clash(o, m));
            if (dup)
                throw new FieldError(`${m.field}`, `${describe(m)} is also requested by ${dup.field}`, "FieldValueDuplicate");
            out.push(m);
        });
    });
    return out;
}
function validateMapping(field, hostPort, containerPort, protocol, hostIP) {
    if (!validPort(hostPort))
        throw new FieldError(`${field}.hostPort`, `${hostPort} must be between 1 and 65535, inclusive`);
    if (!validPort(containerPort))
        throw new FieldError(`${field}.containerPort`, `${containerPort} must be between 1 and 65535, inclusive`);
    const proto = protocol ?? "TCP";
    if (proto !== "TCP" && proto !== "UDP" && proto !== "SCTP") {
        throw new FieldError(`${field}.protocol`, `Unsupported value: "${proto}": supported values: "SCTP", "TCP", "UDP"`, "FieldValueNotSupported");
    }
    let ip;
    if (hostIP !== undefined && hostIP !== "" && hostIP !== "0.0.0.0") {
        if (parseIPv4(hostIP) === undefined)
            throw new FieldError(`${field}.hostIP`, `"${hostIP}" must be a valid IPv4 address`);
        ip = hostIP;
    }
    return { hostIP: ip, hostPort, protocol: proto, containerPort, field: `${field}.hostPort` };
}
function validPort(n) {
    return Number.isInteger(n) && n >= 1 && n <= 65535;
}
/** Same port and protocol on addresses that can coincide (a wildcard takes the port on every address). */
function clash(a, b) {
    return a.hostPort === b.hostPort && a.protocol === b.protocol && (!a.hostIP || !b.hostIP || a.hostIP === b.hostIP);
}
function describe(m) {
    return `${m.hostIP ? `${m.hostIP}:` : ""}${m.hostPort}/${m.protocol}`;
}
/**
 * The error for the first wanted mapping another pod already holds:
 * `spec.containers[0].ports[0].hostPort: 8080/TCP is already allocated to pod default/web`.
 */
export function hostPortConflict(wanted, holders) {
    for (const m of wanted) {
        for (const h of holders) {
            if (h.mappings.some((o) => clash(o, m)))
                return new FieldError(m.field, `${describe(m)} is already allocated to pod ${h.pod}`);
        }
    }
    return undefined;
}
//# sourceMappingURL=host-ports.js.map