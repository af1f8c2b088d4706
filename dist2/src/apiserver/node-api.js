import { ApiError, FieldError } from "../api/errors.js";
const PREFIX = "/apis/nodelet.io/v1/";
export function registerNodeApi(api, deps) {
    api.registerHandler(PREFIX, (req, res, url) => handle(deps, req, res, url));
}
async function handle(d, req, res, url) {
    const parts = url.pathname.slice(PREFIX.length).split("/").map(decodeURIComponent);
    try {
        if (parts[0] === "images")
            return await images(d, req, res, parts.slice(1).join("/"));
        if (parts[0] === "namespaces" && parts[2] === "pods" && parts[4] === "explain" && req.method === "GET") {
            return explain(d, res, parts[1], parts[3]);
        }
        throw new ApiError("NotFound", `the server could not find the requested resource (${url.pathname})`);
    }
    catch (err) {
        const e = err instanceof FieldError ? ApiError.invalid("Image", "", [err]) : err instanceof ApiError ? err : new ApiError("InternalError", err instanceof Error ? err.message : String(err));
        sendJson(res, e.code, e.toStatus());
    }
}
async function images(d, req, res, name) {
    if (req.method === "GET" && !name)
        return sendJson(res, 200, { kind: "ImageList", items: await d.images.list() });
    if (req.method === "POST" && !name) {
        const body = JSON.parse((await readBody(req)) || "{}");
        if (!body.tag)
            throw new FieldError("--tag", "Required value: a name for the image");
        return sendJson(res, 201, await d.images.buildFromHost(body.fromHost ?? [], body.tag));
    }
    if (req.method === "DELETE" && name) {
        if (!(await d.images.remove(name)))
            throw new ApiError("NotFound", `image "${name}" not found`);
        return sendJson(res, 200, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 200 });
    }
    throw new ApiError("MethodNotAllowed", `${req.method} is not supported on images`);
}
function explain(d, res, namespace, name) {
    const pod = d.store.get("Pod", namespace, name);
    if (!pod)
        throw ApiError.notFound("pods", name);
    const script = d.explain(pod, `pod ${namespace}/${name} (uid ${pod.metadata.uid}): how nodelet built it`);
    res.writeHead(200, { "Content-Type": "text/x-shellscript; charset=utf-8" });
    res.end(script);
}
function sendJson(res, code, body) {
    res.writeHead(code, { "Content-Type": "application/json" });
    res.end(JSON.stringify(body));
}
function readBody(req) {
    return new Promise((resolve, reject) => {
        const chunks = [];
        req.on("data", (c) => chunks.push(c));
        req.on("end", () => resolve(Buffer.concat(chunks).toString()));
        req.on("error", reject);
    });
}
//# sourceMappingURL=node-api.js.map