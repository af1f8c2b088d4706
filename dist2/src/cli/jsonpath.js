/**
 * A subset of kubectl's JSONPath templates (https://kubernetes.io/docs/reference/kubectl/jsonpath/), enough for
 * scripts: `{.status.podIP}`, `{.items[*].metadata.name}`, `{.items[0].spec}`, `{.metadata.labels.app}`,
 * `{range .items[*]}{.metadata.name}{"\n"}{end}` and literal text. Results are joined with spaces, as kubectl does.
 */
import { UsageError } from "./args.js";
function tokenize(template) {
    const out = [];
    let i = 0;
    while (i < template.length) {
        const open = template.indexOf("{", i);
        if (open < 0) {
            out.push({ kind: "text", text: template.slice(i) });
            break;
        }
        if (open > i)
            out.push({ kind: "text", text: template.slice(i, open) });
        const close = template.indexOf("}", open);
        if (close < 0)
            throw new UsageError(`error parsing jsonpath ${template}: unclosed action`);
        const inner = template.slice(open + 1, close).trim();
        if (inner.startsWith("range "))
            out.push({ kind: "range", path: inner.slice(6).trim() });
        else if (inner === "end")
            out.push({ kind: "end" });
        else if (inner.startsWith('"'))
            out.push({ kind: "text", text: JSON.parse(inner) });
        else
            out.push({ kind: "path", path: inner });
        i = close + 1;
    }
    return out;
}
/** Evaluates `.a.b[0].c`, `.items[*].x`, `.metadata.labels['app']` against a value; returns every match. */
export function evaluate(value, path) {
    let cur = [value];
    // A name may contain escaped dots, as in kubectl: {.metadata.annotations.kubernetes\.io/config\.mirror}.
    const re = /\.((?:[A-Za-z0-9_/-]|\\\.)+)|\[(\*|\d+)\]|\['([^']+)'\]|\[\"([^"]+)\"\]/g;
    const trimmed = path.replace(/^\$/, "");
    let m;
    let consumed = 0;
    while ((m = re.exec(trimmed))) {
        if (m.index !== consumed)
            throw new UsageError(`error parsing jsonpath ${path}`);
        consumed = re.lastIndex;
        const key = (m[1] ?? m[3] ?? m[4])?.replace(/\\\./g, ".");
        const next = [];
        for (const v of cur) {
            if (key !== undefined) {
                if (v && typeof v === "object" && key in v)
                    next.push(v[key]);
            }
            else if (Array.isArray(v)) {
                if (m[2] === "*")
                    next.push(...v);
                else if (Number(m[2]) < v.length)
                    next.push(v[Number(m[2])]);
            }
        }
        cur = next;
    }
    if (consumed !== trimmed.length)
        throw new UsageError(`error parsing jsonpath ${path}`);
    return cur;
}
function show(v) {
    return typeof v === "string" ? v : JSON.stringify(v);
}
export function jsonPath(value, template) {
    const tokens = tokenize(template.replace(/^'|'$/g, ""));
    return render(tokens, value);
}
function render(tokens, value) {
    let out = "";
    for (let i = 0; i < tokens.length; i++) {
        const t = tokens[i];
        if (t.kind === "text")
            out += t.text;
        else if (t.kind === "path")
            out += evaluate(value, t.path).map(show).join(" ");
        else if (t.kind === "range") {
            let depth = 1;
            let j = i + 1;
            for (; j < tokens.length && depth > 0; j++) {
                if (tokens[j].kind === "range")
                    depth++;
                if (tokens[j].kind === "end")
                    depth--;
            }
            const body = tokens.slice(i + 1, j - 1);
            for (const item of evaluate(value, t.path))
                out += render(body, item);
            i = j - 1;
        }
    }
    return out;
}
//# sourceMappingURL=jsonpath.js.map