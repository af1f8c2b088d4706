/**
 * Bootstrap tokens: a Secret made as `nodelet token create` makes it authenticates `ID.SECRET` as
 * system:bootstrap:ID in system:bootstrappers plus its extra groups; every way a token or its Secret can be wrong
 * (form, secret, id, type, expiry, usage, groups, deletion) gets no opinion, so the request is 401. The listing shows
 * kubeadm's columns.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Secret } from "../../../src/api/types.js";
import { bootstrapTokenSecret, generateBootstrapToken, parseBootstrapToken, TokenOptionError } from "../../../src/api/bootstrap-token.js";
import { BootstrapTokenAuthenticator } from "../../../src/auth/bootstrap-token.js";
import { AuthenticatorChain } from "../../../src/auth/authenticator.js";
import { formatTokenList } from "../../../src/cmd/verbs/token.js";
import { openStore } from "../../../src/store/sqlite-store.js";

const T0 = Date.parse("2026-12-07T10:00:00Z");
const TOKEN = "abcdef.0123456789abcdef";

function setup(secret?: Partial<Secret> & { data?: Record<string, string> }) {
  const store = openStore(":memory:");
  const s = bootstrapTokenSecret({ token: TOKEN, ttlMs: 3_600_000, now: T0 });
  store.create({ ...s, ...secret, metadata: s.metadata });
  let now = T0;
  const logs: string[] = [];
  const authn = new BootstrapTokenAuthenticator(store, { now: () => now, log: (m) => logs.push(m) });
  return { store, authn, logs, at: (t: number) => (now = t) };
}
const b64 = (v: string) => Buffer.from(v).toString("base64");

describe("bootstrap token authentication", () => {
  it("authenticates the token as system:bootstrap:ID in system:bootstrappers and the kubeadm group", () => {
    const { authn } = setup();
    assert.deepEqual(authn.authenticate({ token: TOKEN }), {
      user: { name: "system:bootstrap:abcdef", groups: ["system:bootstrappers", "system:bootstrappers:kubeadm:default-node-token"] },
    });
    // Through the chain, system:authenticated is added as for every user.
    const chain = new AuthenticatorChain([authn]);
    const r = chain.authenticate({ token: TOKEN });
    assert.ok(r && "user" in r && r.user.groups.includes("system:authenticated"));
  });

  it("gives no opinion (401) on a wrong secret, unknown id, other forms, and never logs the secret", () => {
    const { authn, logs } = setup();
    for (const token of ["abcdef.0123456789abcdee", "zzzzzz.0123456789abcdef", "ABCDEF.0123456789ABCDEF", "abcdef.0123456789abcdef0", "abcdef0123456789abcdef", ""]) {
      assert.equal(authn.authenticate({ token }), undefined, token);
    }
    assert.equal(authn.authenticate({}), undefined);
    assert.ok(logs.length > 0);
    for (const l of logs) assert.ok(!l.includes("0123456789abcde"), l);
  });

  it("refuses an expired token at its expiration, and an unparsable expiration", () => {
    const { authn, at } = setup();
    at(T0 + 3_599_999);
    assert.ok(authn.authenticate({ token: TOKEN }));
    at(T0 + 3_600_000);
    assert.equal(authn.authenticate({ token: TOKEN }), undefined);
    const bad = setup({ data: { ...bootstrapTokenSecret({ token: TOKEN, ttlMs: 0, now: T0 }).data, expiration: b64("tomorrow") } });
    assert.equal(bad.authn.authenticate({ token: TOKEN }), undefined);
    const never = setup({ data: bootstrapTokenSecret({ token: TOKEN, ttlMs: 0, now: T0 }).data });
    never.at(T0 + 1e12);
    assert.ok(never.authn.authenticate({ token: TOKEN }));
  });

  it("refuses a Secret of another type, without the authentication usage, with a bad group or a mismatched id", () => {
    const data = bootstrapTokenSecret({ token: TOKEN, ttlMs: 0, now: T0 }).data!;
    assert.equal(setup({ type: "Opaque" }).authn.authenticate({ token: TOKEN }), undefined);
    assert.equal(setup({ data: { ...data, "usage-bootstrap-authentication": b64("false") } }).authn.authenticate({ token: TOKEN }), undefined);
    assert.equal(setup({ data: { ...data, "auth-extra-groups": b64("system:masters") } }).authn.authenticate({ token: TOKEN }), undefined);
    assert.equal(setup({ data: { ...data, "token-id": b64("abcdeg") } }).authn.authenticate({ token: TOKEN }), undefined);
    const ok = setup({ data: { ...data, "auth-extra-groups": b64("system:bootstrappers:x,system:bootstrappers:a") } }).authn.authenticate({ token: TOKEN });
    assert.deepEqual(ok && "user" in ok && ok.user.groups, ["system:bootstrappers", "system:bootstrappers:a", "system:bootstrappers:x"]);
  });

  it("refuses a token whose Secret is being deleted", () => {
    const { store, authn } = setup();
    const s = store.get<Secret>("Secret", "kube-system", "bootstrap-token-abcdef")!;
    store.update({ ...s, metadata: { ...s.metadata, finalizers: ["x"] } });
    store.delete("Secret", "kube-system", "bootstrap-token-abcdef");
    assert.equal(authn.authenticate({ token: TOKEN }), undefined);
  });
});

describe("making bootstrap tokens", () => {
  it("generates kubeadm's form with fresh randomness", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const t = generateBootstrapToken();
      assert.ok(parseBootstrapToken(t), t);
      seen.add(t);
    }
    assert.equal(seen.size, 50);
  });

  it("writes kubeadm's Secret and refuses bad options by name", () => {
    const s = bootstrapTokenSecret({ token: TOKEN, ttlMs: 86_400_000, now: T0, description: "join" });
    assert.equal(s.metadata.name, "bootstrap-token-abcdef");
    assert.equal(s.metadata.namespace, "kube-system");
    assert.equal(s.type, "bootstrap.kubernetes.io/token");
    const d = Object.fromEntries(Object.entries(s.data!).map(([k, v]) => [k, Buffer.from(v, "base64").toString()]));
    assert.deepEqual(d, {
      "token-id": "abcdef",
      "token-secret": "0123456789abcdef",
      description: "join",
      expiration: "2026-12-08T10:00:00Z",
      "usage-bootstrap-authentication": "true",
      "usage-bootstrap-signing": "true",
      "auth-extra-groups": "system:bootstrappers:kubeadm:default-node-token",
    });
    assert.throws(() => bootstrapTokenSecret({ token: "abc.def", ttlMs: 0, now: T0 }), TokenOptionError);
    assert.throws(() => bootstrapTokenSecret({ ttlMs: 0, now: T0, usages: ["root"] }), /invalid bootstrap token usage string: root/);
    assert.throws(() => bootstrapTokenSecret({ ttlMs: 0, now: T0, groups: ["system:masters"] }), /bootstrap group "system:masters" is invalid/);
    assert.throws(() => bootstrapTokenSecret({ ttlMs: -1, now: T0 }), /--ttl/);
  });

  it("lists tokens in kubeadm's columns, skipping other Secrets", () => {
    const a = bootstrapTokenSecret({ token: TOKEN, ttlMs: 86_400_000, now: T0 });
    const b = bootstrapTokenSecret({ token: "zyxwvu.0000000000000000", ttlMs: 0, now: T0, usages: ["authentication"], groups: [], description: "forever" });
    const other: Secret = { apiVersion: "v1", kind: "Secret", metadata: { name: "x", namespace: "kube-system" }, type: "Opaque" };
    const lines = formatTokenList([a, b, other], T0 + 3_600_000).trimEnd().split("\n");
    assert.equal(lines.length, 3);
    assert.match(lines[0], /^TOKEN\s+TTL\s+EXPIRES\s+USAGES\s+DESCRIPTION\s+EXTRA GROUPS$/);
    assert.match(lines[1], /^abcdef\.0123456789abcdef\s+23h\s+2026-12-08T10:00:00Z\s+authentication,signing\s+<none>\s+system:bootstrappers:kubeadm:default-node-token$/);
    assert.match(lines[2], /^zyxwvu\.0000000000000000\s+<forever>\s+<never>\s+authentication\s+forever\s+<none>$/);
  });
});
