/**
 * Encryption at rest: the EncryptionConfiguration format (kinds, providers, keys) checked with field errors, values
 * written with the first provider and its kube-apiserver prefix, read by any provider, bound to their storage key,
 * and an SQLite store whose file never holds a Secret's plaintext while it reads and watches as before.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encryptionTransformer, parseEncryptionConfig } from "../../../src/store/encryption.js";
import { openStore } from "../../../src/store/sqlite-store.js";
import type { ConfigMap, Secret, WatchEvent } from "../../../src/api/types.js";

const KEY32 = Buffer.alloc(32, 7).toString("base64");
const KEY16 = Buffer.alloc(16, 9).toString("base64");

const config = (providers: string) => `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources:
      - secrets
    providers:
${providers}
`;
const AESGCM = `      - aesgcm:
          keys:
            - name: key1
              secret: ${KEY32}
`;
const SECRETBOX = `      - secretbox:
          keys:
            - name: box1
              secret: ${KEY32}
`;
const IDENTITY = "      - identity: {}\n";

const key = { resource: "secrets", namespace: "default", name: "db" };

test("parses the kube-apiserver format and refuses bad input naming the field", () => {
  const c = parseEncryptionConfig(config(AESGCM + SECRETBOX + IDENTITY));
  assert.deepEqual(c[0].resources, ["secrets"]);
  assert.deepEqual(c[0].providers.map((p) => p.kind), ["aesgcm", "secretbox", "identity"]);
  const bad = (text: string, re: RegExp) => assert.throws(() => parseEncryptionConfig(text), re);
  bad(config(AESGCM).replace("EncryptionConfiguration", "Other"), /kind: must be "EncryptionConfiguration"/);
  bad(config(AESGCM).replace("/v1", "/v2"), /apiVersion: must be/);
  bad(config(AESGCM.replace(KEY32, Buffer.alloc(20).toString("base64"))), /resources\[0\]\.providers\[0\]\.aesgcm\.keys\[0\]\.secret: Invalid value: REDACTED: aesgcm key must be 16, 24, 32 bytes long, not 20/);
  bad(config(SECRETBOX.replace(KEY32, KEY16)), /secretbox key must be 32 bytes long, not 16/);
  bad(config(AESGCM.replace(KEY32, "not base64!")), /secrets must be base64 encoded/);
  bad(config("      - aescbc:\n          keys: []\n"), /resources\[0\]\.providers\[0\]\.aescbc: Unsupported value: provider "aescbc" is not supported on this node/);
  const twoKeys = AESGCM + `            - name: key1\n              secret: ${KEY16}\n`;
  bad(config(twoKeys), /aesgcm\.keys\[1\]\.name: Duplicate value: "key1"/);
  bad(config(""), /providers: Required value/);
});

test("the first provider writes with the kube-apiserver prefix; every listed provider reads", () => {
  const gcm = encryptionTransformer(parseEncryptionConfig(config(AESGCM + SECRETBOX + IDENTITY)));
  const box = encryptionTransformer(parseEncryptionConfig(config(SECRETBOX + AESGCM)));
  const plain = encryptionTransformer(parseEncryptionConfig(config(IDENTITY + AESGCM)));
  const json = JSON.stringify({ data: { password: "hunter2-plaintext" } });
  const a = gcm.toStorage(key, json) as Buffer;
  assert.ok(a.subarray(0, 24).toString().startsWith("k8s:enc:aesgcm:v1:key1:"));
  assert.equal(a.includes("hunter2-plaintext"), false);
  const b = box.toStorage(key, json) as Buffer;
  assert.ok(b.toString("latin1").startsWith("k8s:enc:secretbox:v1:box1:"));
  assert.equal(gcm.fromStorage(key, b), json, "secretbox value read by a config whose second provider is secretbox");
  assert.equal(box.fromStorage(key, a), json);
  assert.equal(plain.toStorage(key, json), json, "identity first: stored as written");
  assert.equal(gcm.fromStorage(key, json), json, "plain values read while identity is listed");
  const noIdentity = encryptionTransformer(parseEncryptionConfig(config(AESGCM)));
  assert.throws(() => noIdentity.fromStorage(key, json), /no matching prefix found/);
  assert.throws(() => gcm.fromStorage({ ...key, name: "other" }, a), /message authentication failed/, "bound to its storage key");
  const other = encryptionTransformer(parseEncryptionConfig(config(AESGCM.replace(KEY32, Buffer.alloc(32, 1).toString("base64")))));
  assert.throws(() => other.fromStorage(key, a), /message authentication failed/);
  assert.equal(gcm.toStorage({ ...key, resource: "configmaps" }, json), json, "resources not listed are not encrypted");
});

test("an encrypted SQLite store: the file never holds the plaintext, reads and watches see it", () => {
  const dir = mkdtempSync(join(tmpdir(), "nodelet-enc-"));
  try {
    const transformer = encryptionTransformer(parseEncryptionConfig(config(AESGCM)));
    const store = openStore(join(dir, "store.db"), { transformer });
    const seen: WatchEvent[] = [];
    const stop = store.watch("Secret", {}, (ev) => seen.push(ev));
    const value = "correct-horse-battery-staple";
    const b64 = Buffer.from(value).toString("base64");
    store.create<Secret>({ apiVersion: "v1", kind: "Secret", metadata: { name: "db", namespace: "default" }, type: "Opaque", data: { password: b64 } });
    const got = store.get<Secret>("Secret", "default", "db")!;
    store.update<Secret>({ ...got, data: { password: b64, user: Buffer.from("admin").toString("base64") } });
    store.create<ConfigMap>({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm", namespace: "default" }, data: { visible: "yes-plain" } });
    assert.equal(store.get<Secret>("Secret", "default", "db")!.data!.password, b64);
    assert.equal(store.list<Secret>("Secret").items.length, 1);
    assert.equal(store.list<Secret>("Secret", { limit: 1 }).items[0].data!.password, b64);
    assert.equal(seen.length, 2);
    stop();
    store.close();
    for (const f of readdirSync(dir)) {
      const bytes = readFileSync(join(dir, f));
      assert.equal(bytes.includes(value), false, `${f} holds the plaintext`);
      assert.equal(bytes.includes(b64), false, `${f} holds the base64 of the plaintext`);
    }
    assert.ok(readFileSync(join(dir, "store.db")).includes("k8s:enc:aesgcm:v1:key1:"));
    const reopened = openStore(join(dir, "store.db"), { transformer });
    assert.equal(reopened.get<Secret>("Secret", "default", "db")!.data!.password, b64);
    reopened.close();
    const without = openStore(join(dir, "store.db"));
    assert.throws(() => without.get("Secret", "default", "db"), /Unexpected token|JSON/);
    without.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
