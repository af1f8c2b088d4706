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
import type { LabelSelector } from "./types.js";

export type LabelOperator = "=" | "==" | "!=" | "in" | "notin" | "exists" | "!" | ">" | "<";

export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  values: string[];
}

/** A parsed selector: its requirements (all must hold) and a matcher. */
export interface LabelMatcher {
  readonly requirements: readonly LabelRequirement[];
  matches(labels: Record<string, string> | undefined): boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// Lexer

type TokenKind = "id" | "!" | "=" | "==" | "!=" | "in" | "notin" | "(" | ")" | "," | ">" | "<" | "end";

interface Token {
  kind: TokenKind;
  text: string;
}

const SPECIAL = new Set(["=", "!", "(", ")", ",", ">", "<"]);

function lex(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i];
    if (/\s/.test(c)) {
      i++;
    } else if (SPECIAL.has(c)) {
      const two = input.slice(i, i + 2);
      if (two === "==" || two === "!=") {
        tokens.push({ kind: two, text: two });
        i += 2;
      } else {
        tokens.push({ kind: c as TokenKind, text: c });
        i++;
      }
    } else {
      let j = i;
      while (j < input.length && !SPECIAL.has(input[j]) && !/\s/.test(input[j])) j++;
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
  private pos = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly source: string,
  ) {}

  parse(): LabelRequirement[] {
    const reqs: LabelRequirement[] = [];
    if (this.peek().kind === "end") return reqs;
    for (;;) {
      reqs.push(this.requirement());
      const t = this.next();
      if (t.kind === "end") return reqs;
      if (t.kind !== ",") this.fail(t, "',' or end of selector");
    }
  }

  private requirement(): LabelRequirement {
    if (this.peek().kind === "!") {
      this.next();
      return { key: this.key(), operator: "!", values: [] };
    }
    const key = this.key();
    const op = this.peek();
    if (op.kind === "," || op.kind === "end") return { key, operator: "exists", values: [] };
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

  private key(): string {
    const t = this.next();
    if (t.kind !== "id") this.fail(t, "a label key");
    const why = isLabelKey(t.text);
    if (why.length) throw this.error(`invalid label key "${t.text}": ${why.join("; ")}`);
    return t.text;
  }

  /** After `=`, `==`, `!=`: one value, possibly empty (`a=` selects a label set to ""). */
  private singleValue(): string {
    const t = this.peek();
    if (t.kind === "," || t.kind === "end") return "";
    this.next();
    if (t.kind !== "id" && t.kind !== "in" && t.kind !== "notin") this.fail(t, "a label value");
    checkValue(t.text, this);
    return t.text;
  }

  private integerValue(): string {
    const t = this.next();
    if (t.kind !== "id" || !/^-?\d+$/.test(t.text)) this.fail(t, "an integer value for > or <");
    return t.text;
  }

  private valueSet(op: string): string[] {
    const open = this.next();
    if (open.kind !== "(") this.fail(open, `'(' after '${op}'`);
    const values: string[] = [];
    for (;;) {
      const t = this.next();
      if (t.kind === "id" || t.kind === "in" || t.kind === "notin") {
        checkValue(t.text, this);
        values.push(t.text);
        const sep = this.next();
        if (sep.kind === ")") break;
        if (sep.kind !== ",") this.fail(sep, "',' or ')' in a value list");
      } else if (t.kind === ")" && values.length === 0) {
        throw this.error(`for '${op}', the set of values can't be empty`);
      } else {
        this.fail(t, "a label value");
      }
    }
    return values;
  }

  private peek(): Token {
    return this.tokens[this.pos];
  }

  private next(): Token {
    const t = this.tokens[this.pos];
    if (this.pos < this.tokens.length - 1) this.pos++;
    return t;
  }

  fail(found: Token, expected: string): never {
    const what = found.kind === "end" ? "end of selector" : `'${found.text}'`;
    throw this.error(`found ${what}, expected ${expected}`);
  }

  error(detail: string): ApiError {
    return ApiError.badRequest(`unable to parse label selector "${this.source}": ${detail}`);
  }
}

/** Label keys and values are checked by the one validator the API uses for metadata (names.ts). */
function checkValue(value: string, parser: Parser): void {
  const why = isLabelValue(value);
  if (why.length) throw parser.error(`invalid label value "${value}": ${why.join("; ")}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Matching

function matchRequirement(r: LabelRequirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = has ? labels[r.key] : undefined;
  switch (r.operator) {
    case "=":
    case "==":
      return has && value === r.values[0];
    case "!=":
      return !has || value !== r.values[0];
    case "in":
      return has && r.values.includes(value as string);
    case "notin":
      return !has || !r.values.includes(value as string);
    case "exists":
      return has;
    case "!":
      return !has;
    case ">":
    case "<": {
      if (!has || !/^-?\d+$/.test(value as string)) return false;
      const n = Number(value);
      const bound = Number(r.values[0]);
      return r.operator === ">" ? n > bound : n < bound;
    }
  }
}

function matcherOf(requirements: LabelRequirement[]): LabelMatcher {
  return {
    requirements,
    matches: (labels) => requirements.every((r) => matchRequirement(r, labels ?? {})),
  };
}

/** Parses a label selector string. The empty string selects everything. Throws ApiError BadRequest. */
export function parseLabelSelector(selector: string): LabelMatcher {
  return matcherOf(new Parser(lex(selector), selector).parse());
}

/**
 * Matches a LabelSelector object (matchLabels ∧ matchExpressions), as metav1.LabelSelectorAsSelector does:
 * `{}` selects everything, an absent selector selects nothing.
 */
export function matchLabelSelector(sel: LabelSelector | undefined | null, labels: Record<string, string> | undefined): boolean {
  if (!sel) return false;
  return labelSelectorMatcher(sel).matches(labels);
}

const NOTHING = (): boolean => false;

/**
 * A stored object's LabelSelector as a predicate for controllers and the scheduler: absent selects nothing, `{}`
 * everything, and one that does not convert (an unknown operator, which validation refuses at admission) nothing.
 */
export function selectorPredicate(sel: LabelSelector | undefined | null): (labels: Record<string, string> | undefined) => boolean {
  if (!sel) return NOTHING;
  let m: LabelMatcher;
  try {
    m = labelSelectorMatcher(sel);
  } catch {
    return NOTHING;
  }
  return (labels) => m.matches(labels);
}

/** Whether `sel` selects `labels`, with selectorPredicate's rules (an invalid selector selects nothing). */
export function selects(sel: LabelSelector | undefined | null, labels: Record<string, string> | undefined): boolean {
  return selectorPredicate(sel)(labels);
}

/** Converts a LabelSelector object to a matcher. Throws ApiError BadRequest on an unknown operator. */
export function labelSelectorMatcher(sel: LabelSelector): LabelMatcher {
  const reqs: LabelRequirement[] = Object.entries(sel.matchLabels ?? {}).map(([key, v]) => ({ key, operator: "=", values: [v] }));
  for (const e of sel.matchExpressions ?? []) {
    const op = EXPRESSION_OPS[e.operator];
    if (!op) throw ApiError.badRequest(`"${e.operator}" is not a valid label selector operator`);
    reqs.push({ key: e.key, operator: op, values: e.values ?? [] });
  }
  return matcherOf(reqs);
}

const EXPRESSION_OPS: Record<string, LabelOperator> = { In: "in", NotIn: "notin", Exists: "exists", DoesNotExist: "!" };

/** The string form of a LabelSelector object (`app=web,tier in (a,b)`), as `kubectl describe` shows it. */
export function labelSelectorToString(sel: LabelSelector): string {
  return labelSelectorMatcher(sel).requirements.map(requirementToString).join(",");
}

function requirementToString(r: LabelRequirement): string {
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
export function formatLabels(labels: Record<string, string> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) return "<none>";
  return keys.map((k) => `${k}=${(labels as Record<string, string>)[k]}`).join(",");
}

// ---------------------------------------------------------------------------------------------------------------
// Field selectors

export interface FieldRequirement {
  field: string;
  operator: "=" | "!=";
  value: string;
}

export interface FieldMatcher {
  readonly requirements: readonly FieldRequirement[];
  matches(obj: unknown): boolean;
}

/** Parses a field selector string. The empty string selects everything. Throws ApiError BadRequest. */
export function parseFieldSelector(selector: string): FieldMatcher {
  const requirements = splitUnescaped(selector, ",")
    .filter((term) => term.trim() !== "")
    .map((term) => parseFieldTerm(term, selector));
  return {
    requirements,
    matches: (obj) =>
      requirements.every((r) => (fieldValue(obj, r.field) === r.value) === (r.operator === "=")),
  };
}

function parseFieldTerm(term: string, selector: string): FieldRequirement {
  for (const op of ["!=", "==", "="] as const) {
    const at = indexUnescaped(term, op);
    if (at < 0) continue;
    const field = term.slice(0, at).trim();
    if (!field) break;
    return { field, operator: op === "!=" ? "!=" : "=", value: unescapeFieldValue(term.slice(at + op.length), selector) };
  }
  throw ApiError.badRequest(`invalid field selector "${selector}": can't understand '${term}' (want field=value or field!=value)`);
}

/** Reads a dotted path (`metadata.name`, `involvedObject.uid`) as a string; missing or non-scalar reads as "". */
export function fieldValue(obj: unknown, path: string): string {
  let cur: unknown = obj;
  for (const part of path.split(".")) {
    if (cur === null || typeof cur !== "object") return "";
    cur = (cur as Record<string, unknown>)[part];
  }
  if (typeof cur === "string") return cur;
  if (typeof cur === "number" || typeof cur === "boolean") return String(cur);
  return "";
}

function indexUnescaped(s: string, needle: string): number {
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "\\") {
      i++;
      continue;
    }
    if (s.startsWith(needle, i)) return i;
  }
  return -1;
}

function splitUnescaped(s: string, sep: string): string[] {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "\\") i++;
    else if (s[i] === sep) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return parts;
}

function unescapeFieldValue(v: string, selector: string): string {
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
export function escapeFieldValue(v: string): string {
  return v.replace(/[\\,=]/g, (c) => `\\${c}`);
}
