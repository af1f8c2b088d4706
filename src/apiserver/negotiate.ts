/**
 * Content negotiation for the shapes kubectl asks for through Accept parameters: Tables
 * (`application/json;as=Table;v=v1;g=meta.k8s.io`), PartialObjectMetadata, aggregated discovery
 * (`application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList`), and protobuf
 * (`application/vnd.kubernetes.protobuf`, which client-go's typed clients list first) for objects, lists, metadata-only
 * shapes (v1) and watches of the kinds with a protobuf form upstream; for the others (nodelet.io kinds, Tables) a
 * client that lists protobuf first gets the next thing it accepts, as from kube-apiserver for custom resources.
 */

export interface MediaRange {
  type: string;
  params: Record<string, string>;
}

/** Parses an Accept header into media ranges in the client's order (q-values are ignored, as clients send none). */
export function parseAccept(header: string | undefined): MediaRange[] {
  if (!header) return [];
  return header.split(",").map((part) => {
    const [type, ...rest] = part.split(";");
    const params: Record<string, string> = {};
    for (const p of rest) {
      const eq = p.indexOf("=");
      if (eq > 0) params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim();
    }
    return { type: type.trim().toLowerCase(), params };
  });
}

/** `protobuf`: answer in the protobuf envelope rather than JSON. */
export type Negotiated =
  | { shape: "object"; protobuf: boolean }
  | { shape: "table"; version: string }
  | { shape: "partial"; version: string; protobuf: boolean };

const JSONISH = new Set(["application/json", "*/*", "application/*", ""]);
export const PROTOBUF = "application/vnd.kubernetes.protobuf";

/**
 * What a read (get, list, watch) should return for this Accept header; `protobufKind`: whether the kind has a
 * protobuf form (the metadata-only shapes have one of their own, in v1 only).
 */
export function negotiateObject(accept: string | undefined, protobufKind = false): Negotiated {
  for (const m of parseAccept(accept)) {
    const protobuf = m.type === PROTOBUF;
    if (!JSONISH.has(m.type) && !protobuf) continue;
    const { as, g, v } = m.params;
    if (!as) {
      if (protobuf && !protobufKind) continue;
      return { shape: "object", protobuf };
    }
    if (g !== "meta.k8s.io" || (v !== "v1" && v !== "v1beta1")) continue;
    if (as === "Table" && !protobuf) return { shape: "table", version: v };
    if (as === "PartialObjectMetadata" || as === "PartialObjectMetadataList") {
      if (protobuf && v !== "v1") continue;
      return { shape: "partial", version: v, protobuf };
    }
  }
  return { shape: "object", protobuf: false };
}

/** The aggregated discovery version the client accepts ("v2" or "v2beta1"), or undefined for legacy discovery. */
export function negotiateDiscovery(accept: string | undefined): "v2" | "v2beta1" | undefined {
  for (const m of parseAccept(accept)) {
    if (!JSONISH.has(m.type)) continue;
    const { as, g, v } = m.params;
    if (!as) return undefined;
    if (as === "APIGroupDiscoveryList" && g === "apidiscovery.k8s.io" && (v === "v2" || v === "v2beta1")) return v;
  }
  return undefined;
}
