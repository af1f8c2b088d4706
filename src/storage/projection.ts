/**
 * What a configMap, secret, downwardAPI or projected volume holds: the payload (path → bytes and mode) made from
 * the objects, as the kubelet's plugins make it (configmap.go and secret.go MakePayload, downwardapi.go
 * CollectData, projected.go collectData), with their error texts. Pure: the objects and tokens are passed in.
 */
import { fieldRefValue, resourceFieldValue } from "../api/downward-api.js";
import type { ConfigMap, DownwardAPIVolumeFile, KeyToPath, Pod, Quantity, Secret, VolumeProjection } from "../api/types.js";
import type { FileProjection, Payload } from "./atomic-writer.js";

export const DEFAULT_MODE = 0o644;

/** A payload that cannot be made; the message is the kubelet's, the caller wraps it as FailedMount. */
export class ProjectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProjectionError";
  }
}

/** A token a serviceAccountToken source asked for. */
export interface IssuedToken {
  token: string;
  /** RFC 3339. */
  expirationTimestamp: string;
}

/** Keys of a source as bytes. */
type KeyData = Map<string, Buffer>;

export function configMapData(cm: ConfigMap): KeyData {
  const out: KeyData = new Map();
  for (const [k, v] of Object.entries(cm.data ?? {})) out.set(k, Buffer.from(v, "utf8"));
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) out.set(k, Buffer.from(v, "base64"));
  return out;
}

export function secretData(s: Secret): KeyData {
  const out: KeyData = new Map();
  for (const [k, v] of Object.entries(s.data ?? {})) out.set(k, Buffer.from(v, "base64"));
  for (const [k, v] of Object.entries(s.stringData ?? {})) out.set(k, Buffer.from(v, "utf8"));
  return out;
}

/**
 * MakePayload of the configMap and secret plugins: every key with the default mode, or the items only (each
 * with its mode, else the default); a missing key fails unless the source is optional.
 */
export function keyPayload(data: KeyData, items: KeyToPath[] | undefined, defaultMode: number, optional: boolean, missingKey: (k: string) => string): Payload {
  const out: Payload = new Map();
  if (!items?.length) {
    for (const [k, v] of data) out.set(k, { data: v, mode: defaultMode });
    return out;
  }
  for (const kp of items) {
    const v = data.get(kp.key);
    if (v === undefined) {
      if (optional) continue;
      throw new ProjectionError(missingKey(kp.key));
    }
    out.set(kp.path, { data: v, mode: kp.mode ?? defaultMode });
  }
  return out;
}

export const missingConfigMapKey = (k: string) => `configmap references non-existent config key: ${k}`;
export const missingSecretKey = (k: string) => `references non-existent secret key: ${k}`;

/** A configMap source: its payload, or nothing for a missing optional one; a missing required one fails. */
export function configMapPayload(
  cm: ConfigMap | undefined,
  src: { name: string; items?: KeyToPath[]; optional?: boolean },
  defaultMode: number,
): Payload {
  if (!cm) {
    if (src.optional) return new Map();
    throw new ProjectionError(`configmap "${src.name}" not found`);
  }
  return keyPayload(configMapData(cm), src.items, defaultMode, src.optional === true, missingConfigMapKey);
}

export function secretPayload(
  s: Secret | undefined,
  src: { name: string; items?: KeyToPath[]; optional?: boolean },
  defaultMode: number,
): Payload {
  if (!s) {
    if (src.optional) return new Map();
    throw new ProjectionError(`secret "${src.name}" not found`);
  }
  return keyPayload(secretData(s), src.items, defaultMode, src.optional === true, missingSecretKey);
}

/**
 * downwardapi.go CollectData: each item's field or resource value, errors of all items together; `allocatable` is
 * the node's (an unset limit reads it, as the kubelet's ExtractResourceValueByContainerNameAndNodeAllocatable).
 */
export function downwardAPIPayload(pod: Pod, items: DownwardAPIVolumeFile[] | undefined, defaultMode: number, allocatable?: Record<string, Quantity>): Payload {
  const out: Payload = new Map();
  const errs: string[] = [];
  for (const item of items ?? []) {
    try {
      let value: string;
      if (item.fieldRef) value = fieldRefValue(pod, item.fieldRef.fieldPath, {}, "fieldRef");
      else if (item.resourceFieldRef) value = resourceFieldValue(pod, undefined, item.resourceFieldRef, "resourceFieldRef", allocatable);
      else throw new ProjectionError(`${item.path}: one of fieldRef and resourceFieldRef is required`);
      out.set(item.path, { data: Buffer.from(value, "utf8"), mode: item.mode ?? defaultMode });
    } catch (err) {
      errs.push((err as Error).message);
    }
  }
  if (errs.length) throw new ProjectionError(aggregate(errs));
  return out;
}

/** What a projected volume's sources need from outside: the objects and the tokens, looked up by the caller. */
export interface ProjectedInputs {
  configMaps: Map<string, ConfigMap | undefined>;
  secrets: Map<string, Secret | undefined>;
  /** Token (or why none) per source index. */
  tokens: Map<number, IssuedToken | Error>;
  /** The pod sets fsGroup (or runAsUser): a token starts 0600 and fsGroup makes it 0640 (projected.go). */
  fsOwned: boolean;
  /** The node's allocatable, for downwardAPI sources' unset limits. */
  allocatable?: Record<string, Quantity>;
}

/**
 * projected.go collectData: the sources' payloads merged in order (a later path wins), every source's error
 * collected and reported together, as utilerrors.NewAggregate prints them.
 */
export function projectedPayload(pod: Pod, sources: VolumeProjection[] | undefined, defaultMode: number, inputs: ProjectedInputs): Payload {
  const out: Payload = new Map();
  const errs: string[] = [];
  (sources ?? []).forEach((s, i) => {
    try {
      let part: Payload = new Map();
      if (s.configMap) part = configMapPayload(inputs.configMaps.get(s.configMap.name), s.configMap, defaultMode);
      else if (s.secret) part = secretPayload(inputs.secrets.get(s.secret.name), s.secret, defaultMode);
      else if (s.downwardAPI) part = downwardAPIPayload(pod, s.downwardAPI.items, defaultMode, inputs.allocatable);
      else if (s.serviceAccountToken) {
        const t = inputs.tokens.get(i);
        if (!t) throw new ProjectionError(`serviceAccountToken source ${i} was not issued`);
        if (t instanceof Error) throw new ProjectionError(t.message);
        part.set(s.serviceAccountToken.path, { data: Buffer.from(t.token, "utf8"), mode: inputs.fsOwned ? 0o600 : defaultMode });
      } else if (s.clusterTrustBundle !== undefined) {
        throw new ProjectionError("clusterTrustBundle projections are not supported on this node");
      }
      for (const [p, f] of part) out.set(p, f);
    } catch (err) {
      errs.push((err as Error).message);
    }
  });
  if (errs.length) throw new ProjectionError(aggregate(errs));
  return out;
}

/** utilerrors.NewAggregate(...).Error(): one message alone, several as `[a, b]`. */
export function aggregate(msgs: string[]): string {
  return msgs.length === 1 ? msgs[0] : `[${msgs.join(", ")}]`;
}

/** The bytes of a payload, for sizing the tmpfs it goes on. */
export function payloadBytes(p: Payload): number {
  let n = 0;
  for (const f of p.values() as Iterable<FileProjection>) n += f.data.length;
  return n;
}
