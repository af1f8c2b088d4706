const NAMESPACE_SUBRESOURCES = new Set(["status", "finalize"]);
function methodVerb(method) {
    switch (method) {
        case "POST":
            return "create";
        case "GET":
        case "HEAD":
            return "get";
        case "PUT":
            return "update";
        case "PATCH":
            return "patch";
        case "DELETE":
            return "delete";
        default:
            return "";
    }
}
/** Parses one request. `url` is the request target (path and query). */
export function requestAttributes(user, method, url) {
    const u = new URL(url, "http://x");
    const path = u.pathname;
    const base = {
        user, verb: method.toLowerCase(), isResourceRequest: false, path, apiGroup: "", apiVersion: "", namespace: "", resource: "", subresource: "", name: "",
    };
    let parts = path.split("/").filter(Boolean);
    try {
        parts = parts.map(decodeURIComponent);
    }
    catch {
        return base;
    }
    if (parts.length < 3 || (parts[0] !== "api" && parts[0] !== "apis"))
        return base;
    const a = { ...base };
    if (parts[0] === "apis") {
        if (parts.length < 4)
            return base;
        a.apiGroup = parts[1];
        parts = parts.slice(2);
    }
    else {
        parts = parts.slice(1);
    }
    a.isResourceRequest = true;
    a.apiVersion = parts[0];
    parts = parts.slice(1);
    if (parts[0] === "watch" && parts.length >= 2) {
        a.verb = "watch";
        parts = parts.slice(1);
    }
    else {
        a.verb = methodVerb(method);
    }
    if (parts[0] === "namespaces" && parts.length > 1) {
        a.namespace = parts[1];
        if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2]))
            parts = parts.slice(2);
    }
    [a.resource = "", a.name = "", a.subresource = ""] = parts;
    if (!a.name && a.verb === "get") {
        const watch = u.searchParams.get("watch");
        a.verb = watch === "true" || watch === "1" ? "watch" : "list";
    }
    if (!a.name && (a.verb === "list" || a.verb === "watch"))
        a.name = exactName(u.searchParams.get("fieldSelector"));
    if (!a.name && a.verb === "delete")
        a.verb = "deletecollection";
    return a;
}
/** The name a field selector pins exactly (`metadata.name=x` or `metadata.name==x`), if it is a valid path segment. */
function exactName(selector) {
    if (!selector)
        return "";
    for (const term of selector.split(",")) {
        const m = /^\s*metadata\.name\s*==?\s*(.*?)\s*$/.exec(term);
        if (m && m[1] && m[1] !== "." && m[1] !== ".." && !/[/%]/.test(m[1]))
            return m[1];
    }
    return "";
}
//# sourceMappingURL=attributes.js.map