/**
 * ServiceAccount tokens without a server: JWT sign/verify (tamper, wrong key, wrong algorithm), the claims a bound
 * token carries, and each reason a token stops authenticating (expiry with leeway, audience, deleted or recreated
 * ServiceAccount, deleted or recreated pod), on a fake clock. Also the default-account and root-CA controller.
 */
import assert from "node:assert/strict";
import { setImmediate as tick } from "node:timers/promises";
import { describe, it } from "node:test";
import type { ServiceAccount } from "../../../src/api/service-account.js";
import type { ConfigMap, Pod } from "../../../src/api/types.js";
import { peekClaims, signJwt, verifyJwt } from "../../../src/auth/jwt.js";
import { ServiceAccountTokens } from "../../../src/auth/service-account-tokens.js";
import { generateSigningKey } from "../../../src/auth/signing-key.js";
import { ServiceAccountsController } from "../../../src/controllers/service-accounts.js";
import { openStore } from "../../../src/store/sqlite-store.js";

describe("JWT (ES256)", () => {
  const key = generateSigningKey();
  it("verifies what it signed and refuses a changed payload, another key and another algorithm", () => {
    const t = signJwt({ sub: "a", n: 1 }, key, "k");
    assert.deepEqual(verifyJwt(t, key), { sub: "a", n: 1 });
    const [h, , s] = t.split(".");
    const forged = `${h}.${Buffer.from(JSON.stringify({ sub: "root", n: 1 })).toString("base64url")}.${s}`;
    assert.throws(() => verifyJwt(forged, key), /invalid signature/);
    assert.throws(() => verifyJwt(t, generateSigningKey()), /invalid signature/);
    const none = `${Buffer.from('{"alg":"none"}').toString("base64url")}.${t.split(".")[1]}.${s}`;
    assert.throws(() => verifyJwt(none, key), /unexpected signing algorithm "none"/);
    assert.throws(() => verifyJwt("a.b", key), /malformed/);
  });
});

describe("ServiceAccount tokens", () => {
  function setup() {
    const store = openStore(":memory:");
    let now = Date.parse("2026-12-07T00:00:00Z");
    const tokens = new ServiceAccountTokens({ privateKey: generateSigningKey(), store, now: () => now });
    const sa = store.create<ServiceAccount>({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "bot", namespace: "team" } });
    const pod = store.create<Pod>({ apiVersion: "v1", kind: "Pod", metadata: { name: "web", namespace: "team" }, spec: { serviceAccountName: "bot", containers: [{ name: "c", image: "busybox" }] } });
    return { store, tokens, sa, pod, advance: (ms: number) => (now += ms), close: () => store.close() };
  }

  it("carries iss, sub, aud, exp, nbf and the kubernetes.io claim, and authenticates as the account", () => {
    const { tokens, sa, pod, close } = setup();
    try {
      const { token, expirationTimestamp } = tokens.issue({ serviceAccount: sa, expirationSeconds: 3600, pod });
      assert.equal(expirationTimestamp, "2026-12-07T01:00:00Z");
      const c = peekClaims(token)!;
      assert.equal(c.iss, "https://kubernetes.default.svc.cluster.local");
      assert.equal(c.sub, "system:serviceaccount:team:bot");
      assert.deepEqual(c.aud, ["https://kubernetes.default.svc.cluster.local"]);
      assert.equal((c.exp as number) - (c.nbf as number), 3600);
      assert.deepEqual(c["kubernetes.io"], { namespace: "team", serviceaccount: { name: "bot", uid: sa.metadata.uid }, pod: { name: "web", uid: pod.metadata.uid } });
      const r = tokens.authenticate({ token }) as { user: { name: string; uid: string; groups: string[]; extra: Record<string, string[]> } };
      assert.equal(r.user.name, "system:serviceaccount:team:bot");
      assert.equal(r.user.uid, sa.metadata.uid);
      assert.deepEqual(r.user.groups, ["system:serviceaccounts", "system:serviceaccounts:team"]);
      assert.deepEqual(r.user.extra["authentication.kubernetes.io/pod-name"], ["web"]);
      assert.match(r.user.extra["authentication.kubernetes.io/credential-id"][0], /^JTI=[0-9a-f-]{36}$/);
    } finally {
      close();
    }
  });

  it("expires after exp plus 60 s of leeway", () => {
    const { tokens, sa, advance, close } = setup();
    try {
      const { token } = tokens.issue({ serviceAccount: sa, expirationSeconds: 600 });
      advance(660_000);
      assert.ok("user" in tokens.authenticate({ token })!);
      advance(1_000);
      assert.deepEqual(tokens.authenticate({ token }), { error: "service account token: token has expired" });
    } finally {
      close();
    }
  });

  it("a token for another audience is refused; one naming the API's among others is accepted", () => {
    const { tokens, sa, close } = setup();
    try {
      assert.match((tokens.authenticate({ token: tokens.issue({ serviceAccount: sa, audiences: ["vault"], expirationSeconds: 600 }).token }) as { error: string }).error, /token audiences \["vault"\] is invalid/);
      assert.ok("user" in tokens.authenticate({ token: tokens.issue({ serviceAccount: sa, audiences: ["vault", tokens.issuer], expirationSeconds: 600 }).token })!);
    } finally {
      close();
    }
  });

  it("dies with its ServiceAccount, even when one of the same name is made again", () => {
    const { store, tokens, sa, close } = setup();
    try {
      const { token } = tokens.issue({ serviceAccount: sa, expirationSeconds: 600 });
      store.delete("ServiceAccount", "team", "bot");
      assert.deepEqual(tokens.authenticate({ token }), { error: 'service account token: serviceaccounts "bot" not found' });
      store.create<ServiceAccount>({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "bot", namespace: "team" } });
      assert.match((tokens.authenticate({ token }) as { error: string }).error, /service account UID \(.*\) does not match claim/);
    } finally {
      close();
    }
  });

  it("a bound token dies with its pod: at once when gone, 60 s after a graceful deletion began", () => {
    const { store, tokens, sa, pod, advance, close } = setup();
    try {
      const { token } = tokens.issue({ serviceAccount: sa, expirationSeconds: 3600, pod });
      store.update({ ...pod, metadata: { ...pod.metadata, deletionTimestamp: new Date(Date.parse("2026-12-07T00:00:00Z")).toISOString() } });
      assert.ok("user" in tokens.authenticate({ token })!);
      advance(61_000);
      assert.deepEqual(tokens.authenticate({ token }), { error: "service account token: token has been invalidated" });
      store.delete("Pod", "team", "web");
      assert.deepEqual(tokens.authenticate({ token }), { error: 'service account token: pods "web" not found' });
    } finally {
      close();
    }
  });

  it("leaves other tokens alone: static tokens, and JWTs from another issuer", () => {
    const { tokens, close } = setup();
    try {
      assert.equal(tokens.authenticate({ token: "plain-static-token" }), undefined);
      assert.equal(tokens.authenticate({ token: signJwt({ iss: "https://accounts.example.com" }, generateSigningKey(), "x") }), undefined);
      const own = signJwt({ iss: tokens.issuer, sub: "x" }, generateSigningKey(), "x");
      assert.deepEqual(tokens.authenticate({ token: own }), { error: "service account token: invalid signature" });
    } finally {
      close();
    }
  });
});

describe("the default ServiceAccount and kube-root-ca.crt controller", () => {
  it("fills every namespace, new ones too, and restores what is deleted or edited", async () => {
    const store = openStore(":memory:");
    store.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: "default" } });
    const c = new ServiceAccountsController(store, "CA-PEM");
    c.start();
    const until = async (f: () => boolean) => {
      for (let i = 0; i < 50 && !f(); i++) await tick();
      assert.ok(f());
    };
    try {
      assert.ok(store.get("ServiceAccount", "default", "default"));
      assert.equal(store.get<ConfigMap>("ConfigMap", "default", "kube-root-ca.crt")!.data!["ca.crt"], "CA-PEM");
      store.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: "team" } });
      await until(() => !!store.get("ServiceAccount", "team", "default") && !!store.get("ConfigMap", "team", "kube-root-ca.crt"));
      store.delete("ServiceAccount", "team", "default");
      await until(() => !!store.get("ServiceAccount", "team", "default"));
      const cm = store.get<ConfigMap>("ConfigMap", "team", "kube-root-ca.crt")!;
      store.update({ ...cm, data: { "ca.crt": "forged" } });
      await until(() => store.get<ConfigMap>("ConfigMap", "team", "kube-root-ca.crt")!.data!["ca.crt"] === "CA-PEM");
    } finally {
      c.stop();
      store.close();
    }
  });
});

describe("the kubelet's pod tokens", () => {
  it("hands out the same token until 80% of its life, then a fresh one; each bound to the pod", async () => {
    const { PodTokens } = await import("../../../src/auth/pod-tokens.js");
    const store = openStore(":memory:");
    let now = Date.parse("2026-12-07T00:00:00Z");
    try {
      const tokens = new ServiceAccountTokens({ privateKey: generateSigningKey(), store, now: () => now });
      store.create<ServiceAccount>({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "default", namespace: "team" } });
      const pod = store.create<Pod>({ apiVersion: "v1", kind: "Pod", metadata: { name: "web", namespace: "team" }, spec: { containers: [{ name: "c", image: "busybox" }] } });
      const pt = new PodTokens(tokens, store, () => now);
      const first = await pt.issue(pod, undefined, 3607);
      now += 2800_000;
      assert.equal((await pt.issue(pod, undefined, 3607)).token, first.token);
      now += 100_000; // 2,900 s of 3,607: past 80%
      const second = await pt.issue(pod, undefined, 3607);
      assert.notEqual(second.token, first.token);
      assert.ok(Date.parse(second.expirationTimestamp) > Date.parse(first.expirationTimestamp));
      assert.deepEqual((peekClaims(second.token)!["kubernetes.io"] as { pod: unknown }).pod, { name: "web", uid: pod.metadata.uid });
      assert.deepEqual(peekClaims((await pt.issue(pod, "vault", 600)).token)!.aud, ["vault"]);
      await assert.rejects(pt.issue({ ...pod, spec: { ...pod.spec, serviceAccountName: "ghost" } }, undefined, 600), /serviceaccounts "ghost" not found/);
    } finally {
      store.close();
    }
  });
});
