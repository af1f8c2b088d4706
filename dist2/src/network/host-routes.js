/**
 * The host's IPv4 routes as `ip -json route` prints them, and the checks made on them before we touch anything
 * (pure): a pod CIDR must not overlap a network the host already reaches some other way.
 */
import { FieldError } from "../api/errors.js";
import { formatCidr, overlaps, parseCidr } from "../api/cidr.js";
export function parseRoutes(json) {
    const parsed = JSON.parse(json.trim() || "[]");
    return parsed.filter((r) => typeof r.dst === "string");
}
/** "default" → 0.0.0.0/0, "10.0.0.7" → /32, "10.0.0.0/8" as is. */
export function routeCidr(r) {
    if (r.dst === "default")
        return { base: 0, prefix: 0 };
    return parseCidr(r.dst.includes("/") ? r.dst : `${r.dst}/32`, false);
}
/**
 * The first route that makes `pod` ambiguous: a unicast route (a link, a gateway) to an overlapping network. The
 * default route, routes on our own bridge and non-forwarding routes (unreachable, blackhole, prohibit — ours or
 * another node daemon's cluster CIDR guards) do not count.
 */
export function overlappingRoute(routes, pod, bridge) {
    return routes.find((r) => {
        if (r.dst === "default" || r.dev === bridge)
            return false;
        if (r.type && r.type !== "unicast")
            return false;
        const c = routeCidr(r);
        return c !== undefined && overlaps(c, pod);
    });
}
/** Throws a FieldError naming --pod-cidr when a host route overlaps it. */
export function checkPodCidrFree(routes, pod, bridge) {
    const r = overlappingRoute(routes, pod, bridge);
    if (!r)
        return;
    const where = r.dev ? ` dev ${r.dev}` : "";
    throw new FieldError("--pod-cidr", `${formatCidr(pod)} overlaps the host route ${r.dst}${where}; choose a pod CIDR the host does not route elsewhere`);
}
/** True when an `unreachable` route for exactly `c` exists. */
export function hasUnreachable(routes, c) {
    return routes.some((r) => r.type === "unreachable" && r.dst === formatCidr(c));
}
//# sourceMappingURL=host-routes.js.map