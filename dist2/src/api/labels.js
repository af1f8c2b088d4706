/**
 * Label and field selectors, parsed and matched as Kubernetes does.
 *
 * Label selectors follow k8s.io/apimachinery/pkg/labels (selector.go): comma-separated requirements, each one of
 * `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a)`, `k` (exists), `!k` (does not exist), `k>1`, `k<1`. `!=` and
 * `notin` also match objects that lack the label, as upstream does.
 *
 * Field selectors follow k8s.io/apimachinery/pkg/fields: `path=v`, `path==v`, `path!=v`, joined by commas, with `\,`,
 * `\=` and `\\` escapes in values. Any dotted path is accepted (upstream restricts the paths per kind); a missing
 * field reads as "" so that `spec.nodeName=` selects unbound pods, as it does upstream.
 *
 * Parse errors are ApiError BadRequest (400) naming the selector and what was expected.
 */
import { ApiError } from "./errors.js";
import { isLabelKey, isLabelValue } from "./names.js";
const SPECIAL = new Set(["=", "!", "(", ")", ",", ">", "<"]);
function lex(input) {
    const tokens = [];
    let i = 0;
    while (i < input.length) {
        const c = input[i];
        if (/\s/.test(c)) {
            i++;
        }
        else if (SPECIAL.has(c)) {
            const two = input.slice(i, i + 2);
            if (two === "==" || two === "!=") {
                tokens.push({ kind: two, text: two });
                i += 2;
            }
            else {
                tokens.push({ kind: c, text: c });
                i++;
            }
        }
        else {
            let j = i;
            while (j < input.length && !SPECIAL.has(input[j]) && !/\s/.test(input[j]))
                j++;
            const word = input.slice(i, j);
            tokens.push({ kind: word === "in" || word === "notin" ? word : "id", text: word });
            i = j;
        }
    }
    tokens.push({ kind: "end", text: "" });
    return tokens;
}
// ---------------------------------------------------------------------------------------------------------------
// Parser
class Parser {
    tokens;
    source;
    pos = 0;
    constructor(tokens, source) {
        this.tokens = tokens;
        this.source = source;
    }
    parse() {
        const reqs = [];
        if (this.peek().kind === "end")
            return reqs;
        for (;;) {
            reqs.push(this.requirement());
            const t = this.next();
            if (t.kind === "end")
                return reqs;
            if (t.kind !== ",")
                this.fail(t, "',' or end of selector");
        }
    }
    requirement() {
        if (this.peek().kind === "!") {
            this.next();
            return { key: this.key(), operator: "!", values: [] };
        }
        const key = this.key();
        const op = this.peek();
        if (op.kind === "," || op.kind === "end")
            return { key, operator: "exists", values: [] };
        this.next();
        switch (op.kind) {
            case "=":
            case "==":
            case "!=":
                return { key, operator: op.kind, values: [this.singleValue()] };
            case ">":
            case "<":
                return { key, operator: op.kind, values: [this.integerValue()] };
            case "in":
            case "notin":
                return { key, operator: op.kind, values: this.valueSet(op.kind) };
            default:
                return this.fail(op, "one of in, notin, =, ==, !=, >, <");
        }
    }
    key() {
        const t = this.next();
        if (t.kind !== "id")
            this.fail(t, "a label key");
        const why = isLabelKey(t.text);
        if (why.length)
            throw this.error(`invalid label key "${t.text}": ${why.join("; ")}`);
        return t.text;
    }
    /** After `=`, `==`, `!=`: one value, possibly empty (`a=` selects a label set to ""). */
    singleValue() {
        const t = this.peek();
        if (t.kind === "," || t.kind === "end")
            return "";
        this.next();
        if (t.kind !== "id" && t.kind !== "in" && t.kind !== "notin")
            this.fail(t, "a label value");
        checkValue(t.text, this);
        return t.text;
    }
    integerValue() {
        const t = this.next();
        if (t.kind !== "id" || !/^-?\d+$/.test(t.text))
            this.fail(t, "an integer value for > or <");
        return t.text;
    }
    valueSet(op) {
        const open = this.next();
        if (open.kind !== "(")
            this.fail(open, `'(' after '${op}'`);
        const values = [];
        for (;;) {
            const t = this.next();
            if (t.kind === "id" || t.kind === "in" || t.kind === "notin") {
                checkValue(t.text, this);
                values.push(t.text);
                const sep = this.next();
                if (sep.kind === ")")
                    break;
                if (sep.kind !== ",")
                    this.fail(sep, "',' or ')' in a value list");
            }
            else if (t.kind === ")" && values.length === 0) {
                throw this.error(`for '${op}', the set of values can't be empty`);
            }
            else {
                this.fail(t, "a label value");
            }
        }
        return values;
    }
    peek() {
        return this.tokens[this.pos];
    }
    next() {
        const t = this.tokens[this.pos];
        if (this.pos < this.tokens.length - 1)
            this.pos++;
        return t;
    }
    fail(found, expected) {
        const what = found.kind === "end" ? "end of selector" : `'${found.text}'`;
        throw this.error(`found ${what}, expected ${expected}`);
    }
    error(detail) {
        return ApiError.badRequest(`unable to parse label selector "${this.source}": ${detail}`);
    }
}
/** Label keys and values are checked by the one validator the API uses for metadata (names.ts). */
function checkValue(value, parser) {
    const why = isLabelValue(value);
    if (why.length)
        throw parser.error(`invalid label value "${value}": ${why.join("; ")}`);
}
// ---------------------------------------------------------------------------------------------------------------
// Matching
function matchRequirement(r, labels) {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    const value = has ? labels[r.key] : undefined;
    switch (r.operator) {
        case "=":
        case "==":
            return has && value === r.values[0];
        case "!=":
            return !has || value !== r.values[0];
        case "in":
            return has && r.values.includes(value);
        case "notin":
            return !has || !r.values.includes(value);
        case "exists":
            return has;
        case "!":
            return !has;
        case ">":
        case "<": {
            if (!has || !/^-?\d+$/.test(value))
                return false;
            const n = Number(value);
            const bound = Number(r.values[0]);
            return r.operator === ">" ? n > bound : n < bound;
        }
    }
}
function matcherOf(requirements) {
    return {
        requirements,
        matches: (labels) => requirements.every((r) => matchRequirement(r, labels ?? {})),
    };
}
/** Parses a label selector string. The empty string selects everything. Throws ApiError BadRequest. */
export function parseLabelSelector(selector) {
    return matcherOf(new Parser(lex(selector), selector).parse());
}
/**
 * Matches a LabelSelector object (matchLabels ∧ matchExpressions), as metav1.LabelSelectorAsSelector does:
 * `{}` selects everything, an absent selector selects nothing.
 */
export function matchLabelSelector(sel, labels) {
    if (!sel)
        return false;
    return labelSelectorMatcher(sel).matches(labels);
}
/** Converts a LabelSelector object to a matcher. Throws ApiError BadRequest on an unknown operator. */
export function labelSelectorMatcher(sel) {
    const reqs = Object.entries(sel.matchLabels ?? {}).map(([key, v]) => ({ key, operator: "=", values: [v] }));
    for (const e of sel.matchExpressions ?? []) {
        const op = EXPRESSION_OPS[e.operator];
        if (!op)
            throw ApiError.badRequest(`"${e.operator}" is not a valid label selector operator`);
        reqs.push({ key: e.key, operator: op, values: e.values ?? [] });
    }
    return matcherOf(reqs);
}
const EXPRESSION_OPS = { In: "in", NotIn: "notin", Exists: "exists", DoesNotExist: "!" };
/** The string form of a LabelSelector object (`app=web,tier in (a,b)`), as `kubectl describe` shows it. */
export function labelSelectorToString(sel) {
    return labelSelectorMatcher(sel).requirements.map(requirementToString).join(",");
}
function requirementToString(r) {
    switch (r.operator) {
        case "exists":
            return r.key;
        case "!":
            return `!${r.key}`;
        case "in":
        case "notin":
            return `${r.key} ${r.operator} (${r.values.join(",")})`;
        default:
            return `${r.key}${r.operator}${r.values[0]}`;
    }
}
/** `a=1,b=2` sorted by key, or "<none>" (labels.FormatLabels, used by printers). */
export function formatLabels(labels) {
    const keys = Object.keys(labels ?? {}).sort();
    if (keys.length === 0)
        return "<none>";
    return keys.map((k) => `${k}=${labels[k]}`).join(",");
}
/** Parses a field selector string. The empty string selects everything. Throws ApiError BadRequest. */
export function parseFieldSelector(selector) {
    const requirements = splitUnescaped(selector, ",")
        .filter((term) => term.trim() !== "")
        .map((term) => parseFieldTerm(term, selector));
    return {
        requirements,
        matches: (obj) => requirements.every((r) => (fieldValue(obj, r.field) === r.value) === (r.operator === "=")),
    };
}
function parseFieldTerm(term, selector) {
    for (const op of ["!=", "==", "="]) {
        const at = indexUnescaped(term, op);
        if (at < 0)
            continue;
        const field = term.slice(0, at).trim();
        if (!field)
            break;
        return { field, operator: op === "!=" ? "!=" : "=", value: unescapeFieldValue(term.slice(at + op.length), selector) };
    }
    throw ApiError.badRequest(`invalid field selector "${selector}": can't understand '${term}' (want field=value or field!=value)`);
}
/** Reads a dotted path (`metadata.name`, `involvedObject.uid`) as a string; missing or non-scalar reads as "". */
export function fieldValue(obj, path) {
    let cur = obj;
    for (const part of path.split(".")) {
        if (cur === null || typeof cur !== "object")
            return "";
        cur = cur[part];
    }
    if (typeof cur === "string")
        return cur;
    if (typeof cur === "number" || typeof cur === "boolean")
        return String(cur);
    return "";
}
function indexUnescaped(s, needle) {
    for (let i = 0; i < s.length; i++) {
        if (s[i] === "\\") {
            i++;
            continue;
        }
        if (s.startsWith(needle, i))
            return i;
    }
    return -1;
}
function splitUnescaped(s, sep) {
    const parts = [];
    let start = 0;
    for (let i = 0; i < s.length; i++) {
        if (s[i] === "\\")
            i++;
        else if (s[i] === sep) {
            parts.push(s.slice(start, i));
            start = i + 1;
        }
    }
    parts.push(s.slice(start));
    return parts;
}
function unescapeFieldValue(v, selector) {
    let out = "";
    for (let i = 0; i < v.length; i++) {
        if (v[i] !== "\\") {
            out += v[i];
            continue;
        }
        const next = v[i + 1];
        if (next !== "\\" && next !== "," && next !== "=") {
            throw ApiError.badRequest(`invalid field selector "${selector}": invalid escape sequence in '${v}'`);
        }
        out += next;
        i++;
    }
    return out;
}
/** Escapes a value for use in a field selector (fields.EscapeValue). */
export function escapeFieldValue(v) {
    return v.replace(/[\\,=]/g, (c) => `\\${c}`);
}
//# sourceMappingURL=labels.js.map