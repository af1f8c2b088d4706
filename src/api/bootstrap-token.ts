/**
 * Bootstrap tokens' Secret format (k8s.io/cluster-bootstrap): a Secret of type
 * `bootstrap.kubernetes.io/token` named `bootstrap-token-ID` in kube-system holds `token-id`, `token-secret`, an
 * optional RFC 3339 `expiration`, `usage-bootstrap-authentication: "true"` and optional comma-separated
 * `auth-extra-groups` (each `system:bootstrappers:…`). The bearer token `ID.SECRET` (kubeadm's form
 * `[a-z0-9]{6}.[a-z0-9]{16}`) then authenticates as `system:bootstrap:ID` in `system:bootstrappers` plus the extra
 * groups (auth/bootstrap-token.ts). Here: parsing and making tokens, the Secret `kubeadm token create` makes, what
 * one says (`token list`), and its expiration (which the authenticator and the tokencleaner both read).
 */
import { randomInt } from "node:crypto";
import type { Secret } from "./types.js";
import { rfc3339 } from "./time.js";

export const BOOTSTRAP_TOKEN_SECRET_TYPE = "bootstrap.kubernetes.io/token";
export const BOOTSTRAP_TOKEN_NAMESPACE = "kube-system";
export const BOOTSTRAP_TOKEN_SECRET_PREFIX = "bootstrap-token-";
export const BOOTSTRAP_USER_PREFIX = "system:bootstrap:";
export const BOOTSTRAPPERS_GROUP = "system:bootstrappers";
/** The extra group `kubeadm token create` gives its tokens (kubeadm's RBAC binds node joining to it). */
export const KUBEADM_DEFAULT_NODE_TOKEN_GROUP = "system:bootstrappers:kubeadm:default-node-token";

const TOKEN_RE = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
const EXTRA_GROUP_RE = /^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/;
const TOKEN_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789";
export const USAGES = ["authentication", "signing"] as const;

/** `{ id, secret }` of a token in bootstrap form, or undefined. */
export function parseBootstrapToken(token: string): { id: string; secret: string } | undefined {
  const m = TOKEN_RE.exec(token);
  return m ? { id: m[1], secret: m[2] } : undefined;
}

/** A fresh token, each character uniformly from [a-z0-9] (crypto randomness). */
export function generateBootstrapToken(): string {
  const pick = (n: number) => Array.from({ length: n }, () => TOKEN_CHARS[randomInt(TOKEN_CHARS.length)]).join("");
  return `${pick(6)}.${pick(16)}`;
}

export function dataOf(s: Secret, key: string): string | undefined {
  const v = s.data?.[key];
  return v === undefined ? undefined : Buffer.from(v, "base64").toString("utf8");
}

/** The groups of a token Secret: system:bootstrappers and the valid extra groups, sorted; an error for a bad one. */
export function tokenGroups(s: Secret): { groups: string[] } | { error: string } {
  const groups = new Set([BOOTSTRAPPERS_GROUP]);
  const extra = dataOf(s, "auth-extra-groups");
  if (extra) {
    for (const g of extra.split(",")) {
      if (!EXTRA_GROUP_RE.test(g)) return { error: `group name ${JSON.stringify(g)} does not match ${EXTRA_GROUP_RE.source}` };
      groups.add(g);
    }
  }
  return { groups: [...groups].sort() };
}

/** The expiration of a token Secret in ms, null for none, or NaN when it does not parse (treated as expired). */
export function tokenExpiration(s: Secret): number | null {
  const e = dataOf(s, "expiration");
  if (e === undefined || e === "") return null;
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(e) ? Date.parse(e) : NaN;
}

export interface NewTokenOptions {
  /** The token; default a fresh one. */
  token?: string;
  /** Lifetime in ms; 0 = never expires. */
  ttlMs: number;
  now: number;
  usages?: readonly string[];
  groups?: readonly string[];
  description?: string;
}

/** A token option `bootstrapTokenSecret` refuses. */
export class TokenOptionError extends Error {}

/** The Secret `kubeadm token create` makes; throws TokenOptionError naming the bad option. */
export function bootstrapTokenSecret(o: NewTokenOptions): Secret {
  const token = o.token ?? generateBootstrapToken();
  const parsed = parseBootstrapToken(token);
  if (!parsed) throw new TokenOptionError(`the bootstrap token "${token.replace(/\..*/, ".…")}" was not of the form ${TOKEN_RE.source}`);
  const usages = o.usages ?? USAGES;
  for (const u of usages) if (!(USAGES as readonly string[]).includes(u)) throw new TokenOptionError(`invalid bootstrap token usage string: ${u}, valid usage options: ${USAGES.join(",")}`);
  const groups = o.groups ?? [KUBEADM_DEFAULT_NODE_TOKEN_GROUP];
  for (const g of groups) if (!EXTRA_GROUP_RE.test(g)) throw new TokenOptionError(`bootstrap group "${g}" is invalid (must match ${EXTRA_GROUP_RE.source})`);
  if (!Number.isFinite(o.ttlMs) || o.ttlMs < 0) throw new TokenOptionError("--ttl must be a duration of 0 or more (0: never expires)");
  const str: Record<string, string> = { "token-id": parsed.id, "token-secret": parsed.secret };
  if (o.description) str.description = o.description;
  if (o.ttlMs > 0) str.expiration = rfc3339(o.now + o.ttlMs);
  for (const u of usages) str[`usage-bootstrap-${u}`] = "true";
  if (groups.length) str["auth-extra-groups"] = groups.join(",");
  const data: Record<string, string> = {};
  for (const [k, v] of Object.entries(str)) data[k] = Buffer.from(v).toString("base64");
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: BOOTSTRAP_TOKEN_SECRET_PREFIX + parsed.id, namespace: BOOTSTRAP_TOKEN_NAMESPACE },
    type: BOOTSTRAP_TOKEN_SECRET_TYPE,
    data,
  };
}

/** One row of `token list`: what a token Secret says, the token itself included (as kubeadm lists it). */
export interface TokenSummary {
  token: string;
  /** ms, null: never. */
  expires: number | null;
  usages: string[];
  description: string;
  groups: string[];
}

/** What a Secret of the bootstrap token type holds, or undefined when it is not a well-formed one. */
export function summarizeTokenSecret(s: Secret): TokenSummary | undefined {
  if (s.type !== BOOTSTRAP_TOKEN_SECRET_TYPE) return undefined;
  const id = dataOf(s, "token-id");
  const secret = dataOf(s, "token-secret");
  if (!id || !secret || !parseBootstrapToken(`${id}.${secret}`)) return undefined;
  const usages = USAGES.filter((u) => dataOf(s, `usage-bootstrap-${u}`) === "true");
  const extra = dataOf(s, "auth-extra-groups");
  return { token: `${id}.${secret}`, expires: tokenExpiration(s), usages: [...usages], description: dataOf(s, "description") ?? "", groups: extra ? extra.split(",") : [] };
}
