/**
 * Encryption at rest, as kube-apiserver's --encryption-provider-config does it (apiserver.config.k8s.io/v1
 * EncryptionConfiguration; staging/src/k8s.io/apiserver/pkg/storage/value/encrypt): for each listed resource the
 * first provider encrypts what is written, every provider may decrypt what is read, chosen by the stored value's
 * prefix `k8s:enc:PROVIDER:v1:KEYNAME:`.
 *
 * - aesgcm: AES-GCM with a random 12-byte nonce; value = prefix || nonce || ciphertext || tag, with the object's
 *   storage key (/registry/RESOURCE/NAMESPACE/NAME) as additional authenticated data, so a value copied to another
 *   row does not decrypt.
 * - secretbox: XSalsa20-Poly1305 (NaCl secretbox, tweetnacl) with a random 24-byte nonce; value = prefix || nonce ||
 *   box.
 * - identity: stored as written (plain JSON). A plain value is readable only when identity is among the providers,
 *   as in Kubernetes.
 *
 * The transformer is pure (no file I/O): the daemon reads the file and passes its text to parseEncryptionConfig.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import nacl from "tweetnacl";
import YAML from "yaml";
import { FieldError } from "../api/errors.js";

const PREFIX = "k8s:enc:";

export interface KeyConfig {
  name: string;
  secret: Buffer;
}

export type ProviderConfig = { kind: "aesgcm"; keys: KeyConfig[] } | { kind: "secretbox"; keys: KeyConfig[] } | { kind: "identity" };

export interface ResourceConfig {
  /** "secrets", "configmaps", "deployments.apps", "*.apps", "*.*" */
  resources: string[];
  providers: ProviderConfig[];
}

/** Where an object is stored: its resource (plural.group or plural for the core group), namespace and name. */
export interface StorageKey {
  resource: string;
  namespace: string;
  name: string;
}

/** Turns an object's JSON into what the database holds and back. */
export interface ValueTransformer {
  toStorage(key: StorageKey, json: string): string | Buffer;
  fromStorage(key: StorageKey, stored: string | Buffer): string;
}

/** A stored value that cannot be read back: the kube-apiserver's words. */
export class DecryptError extends Error {
  constructor(key: StorageKey, why: string) {
    super(`unable to transform key "${storagePath(key)}": ${why}`);
    this.name = "DecryptError";
  }
}

function storagePath(k: StorageKey): string {
  return `/registry/${k.resource}/${k.namespace ? `${k.namespace}/` : ""}${k.name}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Parsing

const PROVIDERS = ["aesgcm", "secretbox", "identity"];
const UNSUPPORTED = ["aescbc", "kms"];

/** Parses and checks an EncryptionConfiguration (YAML or JSON); throws FieldError naming the field. */
export function parseEncryptionConfig(text: string): ResourceConfig[] {
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (err) {
    throw new FieldError("", `not YAML or JSON: ${(err as Error).message}`);
  }
  const o = asRecord(doc, "");
  if (o.kind !== "EncryptionConfiguration") throw new FieldError("kind", `must be "EncryptionConfiguration", not ${JSON.stringify(o.kind)}`);
  if (o.apiVersion !== "apiserver.config.k8s.io/v1") {
    throw new FieldError("apiVersion", `must be "apiserver.config.k8s.io/v1", not ${JSON.stringify(o.apiVersion)}`);
  }
  const resources = asArray(o.resources, "resources");
  if (resources.length === 0) throw new FieldError("resources", "Required value: at least one resource list");
  const seen = new Set<string>();
  return resources.map((r, i) => {
    const path = `resources[${i}]`;
    const rr = asRecord(r, path);
    const names = asArray(rr.resources, `${path}.resources`).map((n, j) => {
      if (typeof n !== "string" || !/^(\*|[a-z0-9-]+)(\.(\*|[a-z0-9.-]+))?$/.test(n)) throw new FieldError(`${path}.resources[${j}]`, `Invalid value: ${JSON.stringify(n)}: must be a resource name`);
      if (seen.has(n)) throw new FieldError(`${path}.resources[${j}]`, `Duplicate value: ${JSON.stringify(n)}`);
      seen.add(n);
      return n;
    });
    if (names.length === 0) throw new FieldError(`${path}.resources`, "Required value: at least one resource");
    const providers = asArray(rr.providers, `${path}.providers`).map((p, j) => parseProvider(p, `${path}.providers[${j}]`));
    if (providers.length === 0) throw new FieldError(`${path}.providers`, "Required value: at least one provider");
    return { resources: names, providers };
  });
}

function parseProvider(p: unknown, path: string): ProviderConfig {
  const o = asRecord(p, path);
  const kinds = Object.keys(o);
  if (kinds.length !== 1) throw new FieldError(path, `Invalid value: exactly one provider must be specified (one of ${PROVIDERS.join(", ")})`);
  const kind = kinds[0];
  if (UNSUPPORTED.includes(kind)) throw new FieldError(`${path}.${kind}`, `Unsupported value: provider "${kind}" is not supported on this node: supported values: ${PROVIDERS.map((x) => `"${x}"`).join(", ")}`);
  if (kind === "identity") return { kind: "identity" };
  if (kind !== "aesgcm" && kind !== "secretbox") throw new FieldError(`${path}.${kind}`, `Unsupported value: supported values: ${PROVIDERS.map((x) => `"${x}"`).join(", ")}`);
  const keysPath = `${path}.${kind}.keys`;
  const keys = asArray(asRecord(o[kind], `${path}.${kind}`).keys, keysPath).map((k, i) => parseKey(k, `${keysPath}[${i}]`, kind));
  if (keys.length === 0) throw new FieldError(keysPath, "Required value: at least one key");
  const names = new Set<string>();
  keys.forEach((k, i) => {
    if (names.has(k.name)) throw new FieldError(`${keysPath}[${i}].name`, `Duplicate value: ${JSON.stringify(k.name)}`);
    names.add(k.name);
  });
  return { kind, keys };
}

function parseKey(k: unknown, path: string, kind: "aesgcm" | "secretbox"): KeyConfig {
  const o = asRecord(k, path);
  if (typeof o.name !== "string" || o.name === "") throw new FieldError(`${path}.name`, "Required value");
  // The name is part of every stored value's prefix, which ends at the next ':'.
  if (o.name.includes(":")) throw new FieldError(`${path}.name`, `Invalid value: ${JSON.stringify(o.name)}: should not contain ':'`);
  if (typeof o.secret !== "string" || o.secret === "") throw new FieldError(`${path}.secret`, "Required value");
  // Never echo the secret itself.
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(o.secret)) throw new FieldError(`${path}.secret`, "Invalid value: REDACTED: secrets must be base64 encoded");
  const secret = Buffer.from(o.secret, "base64");
  const ok = kind === "aesgcm" ? [16, 24, 32] : [32];
  if (!ok.includes(secret.length)) {
    throw new FieldError(`${path}.secret`, `Invalid value: REDACTED: ${kind} key must be ${ok.join(", ")} bytes long, not ${secret.length}`);
  }
  return { name: o.name, secret };
}

function asRecord(v: unknown, path: string): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new FieldError(path || "(document)", "must be an object");
  return v as Record<string, unknown>;
}

function asArray(v: unknown, path: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new FieldError(path, "must be a list");
  return v;
}

// ---------------------------------------------------------------------------------------------------------------
// Transforming

/** The resource entry that applies to `resource` ("secrets", "deployments.apps"): exact names before wildcards. */
export function configFor(config: ResourceConfig[], resource: string): ResourceConfig | undefined {
  const group = resource.split(".").slice(1).join(".");
  const exact = config.find((c) => c.resources.includes(resource));
  if (exact) return exact;
  return config.find((c) => c.resources.includes(`*.${group}`) || (group === "" && c.resources.includes("*.")) || c.resources.includes("*.*"));
}

export function encryptionTransformer(config: ResourceConfig[]): ValueTransformer {
  return {
    toStorage(key, json) {
      const c = configFor(config, key.resource);
      const first = c?.providers[0];
      if (!first || first.kind === "identity") return json;
      return seal(first, key, Buffer.from(json, "utf8"));
    },
    fromStorage(key, stored) {
      const buf = typeof stored === "string" ? Buffer.from(stored, "utf8") : stored;
      const providers = configFor(config, key.resource)?.providers ?? [{ kind: "identity" }];
      if (!buf.subarray(0, PREFIX.length).equals(Buffer.from(PREFIX))) {
        if (providers.some((p) => p.kind === "identity")) return buf.toString("utf8");
        throw new DecryptError(key, "no matching prefix found (the value is not encrypted and identity is not a provider)");
      }
      return open(providers, key, buf);
    },
  };
}

function seal(p: Exclude<ProviderConfig, { kind: "identity" }>, key: StorageKey, plain: Buffer): Buffer {
  const k = p.keys[0];
  const prefix = Buffer.from(`${PREFIX}${p.kind}:v1:${k.name}:`);
  if (p.kind === "aesgcm") {
    const nonce = randomBytes(12);
    const c = createCipheriv(`aes-${k.secret.length * 8}-gcm` as "aes-256-gcm", k.secret, nonce);
    c.setAAD(Buffer.from(storagePath(key)));
    const body = Buffer.concat([c.update(plain), c.final()]);
    return Buffer.concat([prefix, nonce, body, c.getAuthTag()]);
  }
  const nonce = randomBytes(nacl.secretbox.nonceLength);
  return Buffer.concat([prefix, nonce, Buffer.from(nacl.secretbox(plain, nonce, k.secret))]);
}

function open(providers: ProviderConfig[], key: StorageKey, buf: Buffer): string {
  const header = buf.subarray(0, 200).toString("latin1");
  const m = /^k8s:enc:([a-z]+):v1:([^:]+):/.exec(header);
  if (!m) throw new DecryptError(key, "no matching prefix found");
  const [prefix, kind, name] = m;
  const p = providers.find((x): x is Exclude<ProviderConfig, { kind: "identity" }> => x.kind === kind);
  const k = p?.keys.find((x) => x.name === name);
  if (!p || !k) throw new DecryptError(key, `no matching prefix found (provider ${kind}, key ${name} is not configured)`);
  const body = buf.subarray(Buffer.byteLength(prefix, "latin1"));
  if (p.kind === "aesgcm") {
    if (body.length < 28) throw new DecryptError(key, "the stored data was shorter than the required size");
    try {
      const d = createDecipheriv(`aes-${k.secret.length * 8}-gcm` as "aes-256-gcm", k.secret, body.subarray(0, 12));
      d.setAAD(Buffer.from(storagePath(key)));
      d.setAuthTag(body.subarray(body.length - 16));
      return Buffer.concat([d.update(body.subarray(12, body.length - 16)), d.final()]).toString("utf8");
    } catch {
      throw new DecryptError(key, "cipher: message authentication failed");
    }
  }
  const n = nacl.secretbox.nonceLength;
  const plain = body.length > n ? nacl.secretbox.open(body.subarray(n), body.subarray(0, n), k.secret) : null;
  if (!plain) throw new DecryptError(key, "failed to decrypt (wrong key or corrupt data)");
  return Buffer.from(plain).toString("utf8");
}
