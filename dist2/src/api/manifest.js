/**
 * Decoding of manifests as `kubectl apply -f` reads them: YAML or JSON, several documents separated by `---`,
 * empty documents skipped, `kind: List` (and typed lists such as `PodList`) expanded into their items.
 *
 * YAML is read as the Kubernetes tools read it (go-yaml v2, YAML 1.1): `yes`/`no`/`on`/`off` are booleans and
 * `0644` is octal (420), so `defaultMode: 0644` means what it says. Timestamps and sexagesimal numbers stay strings,
 * as they do in kubectl.
 *
 * Errors are ManifestErrors naming the source, the document (1-based, counting empty ones) and the line:
 * `pod.yaml: document 2: line 7: no matches for kind "Deployment" in version "apps/v1" ...`.
 */
import { isMap, isScalar, LineCounter, parseAllDocuments } from "yaml";
import { isObject } from "./json.js";
import { apiVersionOf, resourceForKind, RESOURCES } from "./resources.js";
/** A manifest that cannot be turned into objects; `line` is 1-based when known. */
export class ManifestError extends Error {
    source;
    document;
    line;
    detail;
    constructor(source, document, line, detail) {
        super(`${source}: document ${document}: ${line !== undefined ? `line ${line}: ` : ""}${detail}`);
        this.source = source;
        this.document = document;
        this.line = line;
        this.detail = detail;
        this.name = "ManifestError";
    }
}
const PARSE_OPTIONS = {
    version: "1.1",
    // go-yaml v2 resolves neither timestamps nor base-60 numbers: drop those YAML 1.1 tags.
    customTags: (tags) => tags.filter((t) => {
        if (typeof t === "string")
            return !["timestamp", "intTime", "floatTime"].includes(t);
        const tag = t;
        return tag.tag !== "tag:yaml.org,2002:timestamp" && tag.format !== "TIME";
    }),
    uniqueKeys: true,
};
function lineOf(ctx, node) {
    const offset = node?.range?.[0];
    return offset === undefined ? undefined : ctx.lines.linePos(offset).line;
}
function fail(ctx, line, detail) {
    throw new ManifestError(ctx.source, ctx.index, line, detail);
}
/** The line of the value of `key` in the document's top-level mapping (for errors about that field). */
function fieldLine(ctx, key) {
    const contents = ctx.doc.contents;
    if (!isMap(contents))
        return lineOf(ctx, contents);
    const pair = contents.items.find((p) => isScalar(p.key) && p.key.value === key);
    return lineOf(ctx, (pair?.value ?? pair?.key ?? contents)) ?? lineOf(ctx, contents);
}
function servedList() {
    return RESOURCES.filter((r) => r.group !== "metrics.k8s.io")
        .map((r) => `${r.kind} (${apiVersionOf(r)})`)
        .join(", ");
}
/** Checks kind and apiVersion of one object; `where` prefixes item errors ("items[2]: "). */
function checkObject(ctx, obj, where) {
    const kindLine = fieldLine(ctx, where ? "items" : "kind");
    const { apiVersion, kind } = obj;
    if (typeof apiVersion !== "string" || apiVersion === "")
        fail(ctx, kindLine, `${where}missing required field "apiVersion"`);
    if (typeof kind !== "string" || kind === "")
        fail(ctx, kindLine, `${where}missing required field "kind"`);
    const info = resourceForKind(kind);
    if (!info) {
        fail(ctx, kindLine, `${where}no matches for kind "${kind}" in version "${apiVersion}" (nodelet serves ${servedList()})`);
    }
    if (apiVersionOf(info) !== apiVersion) {
        fail(ctx, fieldLine(ctx, where ? "items" : "apiVersion"), `${where}no matches for kind "${kind}" in version "${apiVersion}"`);
    }
    if (obj["metadata"] === undefined || obj["metadata"] === null)
        obj["metadata"] = {};
    if (!isObject(obj["metadata"]))
        fail(ctx, fieldLine(ctx, "metadata"), `${where}metadata must be a mapping`);
    return obj;
}
/** `kind: List` or `<Kind>List`: its items, with kind and apiVersion filled in from a typed list. */
function expandList(ctx, list) {
    const items = list["items"] ?? [];
    if (!Array.isArray(items))
        fail(ctx, fieldLine(ctx, "items"), `items of a ${String(list["kind"])} must be a sequence`);
    const listKind = String(list["kind"]);
    const itemKind = listKind === "List" ? undefined : listKind.slice(0, -"List".length);
    return items.map((item, i) => {
        if (!isObject(item))
            fail(ctx, fieldLine(ctx, "items"), `items[${i}]: an item must be a mapping`);
        if (itemKind && item["kind"] === undefined)
            item["kind"] = itemKind;
        if (itemKind && item["apiVersion"] === undefined)
            item["apiVersion"] = list["apiVersion"] ?? "";
        return checkObject(ctx, item, `items[${i}]: `);
    });
}
function decodeDocument(ctx) {
    const { doc } = ctx;
    if (doc.errors.length > 0) {
        const err = doc.errors[0];
        const message = err.message.split(/ at line \d+, column \d+/)[0].trim();
        fail(ctx, err.linePos?.[0]?.line, `invalid YAML: ${message}`);
    }
    const contents = doc.contents;
    if (contents === null || (isScalar(contents) && (contents.value === null || contents.value === undefined)))
        return [];
    const value = doc.toJS({ maxAliasCount: 1000 });
    if (!isObject(value)) {
        const found = Array.isArray(value) ? "a sequence" : `a ${typeof value}`;
        fail(ctx, lineOf(ctx, contents), `a document must be a mapping (an object), found ${found}`);
    }
    const kind = value["kind"];
    if (typeof kind === "string" && kind.endsWith("List") && Array.isArray(value["items"] ?? [])) {
        if (kind === "List" || resourceForKind(kind.slice(0, -4)) || "items" in value)
            return expandList(ctx, value);
    }
    return [checkObject(ctx, value, "")];
}
/**
 * Decodes every object of a YAML or JSON manifest, in order. Pure: `text` is the file's content and `sourceName`
 * only names it in errors. Throws ManifestError on the first problem.
 */
export function decodeManifests(text, sourceName = "manifest") {
    const lines = new LineCounter();
    const docs = parseAllDocuments(text, { ...PARSE_OPTIONS, lineCounter: lines });
    if (!Array.isArray(docs))
        return [];
    return docs.flatMap((doc, i) => decodeDocument({ source: sourceName, index: i + 1, doc, lines }));
}
//# sourceMappingURL=manifest.js.map