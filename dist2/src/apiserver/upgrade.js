/**
 * HTTP Upgrade requests: exec, attach and portforward (WebSocket GET or SPDY POST). Here the request is
 * authenticated, the pod found and its phase checked; the protocol itself is handled by streaming/index.ts.
 * Refusals are written on the raw socket as an HTTP response carrying a Status, which kubectl prints.
 */
import { STATUS_CODES } from "node:http";
import { ApiError } from "../api/errors.js";
import { authorize } from "./access.js";
import { unauthorizedStatus } from "./auth.js";
import { resolveContainer } from "./containers.js";
import { toApiError } from "./http.js";
import { parseRoute } from "./router.js";
import { handleStreamUpgrade } from "./streaming/index.js";
const STREAMS = new Set(["exec", "attach", "portforward"]);
export function handleUpgrade(ctx, req, socket, head, user) {
    if (!user)
        return refuse(socket, unauthorizedStatus());
    try {
        // WebSocket GET asks `get` on pods/exec, SPDY POST `create`, as the apiserver decides them.
        authorize(ctx.authorizer, user, req.method ?? "GET", req.url ?? "/");
        const target = streamTarget(ctx, req);
        handleStreamUpgrade(req, socket, head, { ...target, io: ctx.podIO });
    }
    catch (err) {
        refuse(socket, toApiError(err).toStatus());
    }
}
/** The pod and subresource an upgrade names, checked; ApiError otherwise. */
export function streamTarget(ctx, req) {
    const url = new URL(req.url ?? "/", "http://nodelet");
    const route = parseRoute(url.pathname);
    if (route.type !== "resource" || route.info.kind !== "Pod" || !route.subresource || !STREAMS.has(route.subresource)) {
        throw new ApiError("NotFound", "the server could not find the requested resource");
    }
    if (req.method !== "GET" && req.method !== "POST")
        throw new ApiError("MethodNotAllowed", `${req.method} is not allowed for ${route.subresource}`);
    const name = route.name ?? "";
    const pod = ctx.store.get("Pod", route.namespace ?? "", name);
    if (!pod)
        throw ApiError.notFound("pods", name);
    const subresource = route.subresource;
    const query = new URLSearchParams(url.searchParams);
    checkPhase(pod, subresource);
    if (subresource !== "portforward")
        query.set("container", resolveContainer(pod, query.get("container")));
    return { subresource, pod, query };
}
/** exec/attach refuse finished pods; port-forward needs a running one (kubectl's own checks, made by the server). */
function checkPhase(pod, subresource) {
    const phase = pod.status?.phase ?? "Pending";
    if (subresource === "portforward") {
        if (phase !== "Running")
            throw ApiError.badRequest(`unable to forward port because pod is not running. Current status=${phase}`);
        return;
    }
    if (phase === "Succeeded" || phase === "Failed") {
        const verb = subresource === "exec" ? "exec into" : "attach to";
        throw ApiError.badRequest(`cannot ${verb} a container in a completed pod; current phase is ${phase}`);
    }
}
function refuse(socket, status) {
    const body = JSON.stringify(status);
    socket.end(`HTTP/1.1 ${status.code} ${STATUS_CODES[status.code] ?? ""}\r\n` +
        "Content-Type: application/json\r\n" +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        "Connection: close\r\n\r\n" +
        body);
}
//# sourceMappingURL=upgrade.js.map