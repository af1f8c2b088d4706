/**
 * Content negotiation for the shapes kubectl asks for through Accept parameters: Tables
 * (`application/json;as=Table;v=v1;g=meta.k8s.io`), PartialObjectMetadata, aggregated discovery
 * (`application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList`). Protobuf is never served: a client that
 * lists it first gets the next thing it accepts, or JSON.
 */
/** Parses an Accept header into media ranges in the client's order (q-values are ignored, as clients send none). */
export function parseAccept(header) {
    if (!header)
        return [];
    return header.split(",").map((part) => {
        const [type, ...rest] = part.split(";");
        const params = {};
        for (const p of rest) {
            const eq = p.indexOf("=");
            if (eq > 0)
                params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim();
        }
        return { type: type.trim().toLowerCase(), params };
    });
}
const JSONISH = new Set(["application/json", "*/*", "application/*", ""]);
/** What a read (get, list, watch) should return for this Accept header. */
export function negotiateObject(accept) {
    for (const m of parseAccept(accept)) {
        if (!JSONISH.has(m.type))
            continue;
        const { as, g, v } = m.params;
        if (!as)
            return { shape: "object" };
        if (g !== "meta.k8s.io" || (v !== "v1" && v !== "v1beta1"))
            continue;
        if (as === "Table")
            return { shape: "table", version: v };
        if (as === "PartialObjectMetadata" || as === "PartialObjectMetadataList")
            return { shape: "partial", version: v };
    }
    return { shape: "object" };
}
/** The aggregated discovery version the client accepts ("v2" or "v2beta1"), or undefined for legacy discovery. */
export function negotiateDiscovery(accept) {
    for (const m of parseAccept(accept)) {
        if (!JSONISH.has(m.type))
            continue;
        const { as, g, v } = m.params;
        if (!as)
            return undefined;
        if (as === "APIGroupDiscoveryList" && g === "apidiscovery.k8s.io" && (v === "v2" || v === "v2beta1"))
            return v;
    }
    return undefined;
}
//# sourceMappingURL=negotiate.js.map