/**
 * Kubernetes metadata rules the store applies on every write, kept pure so they can be tested alone:
 * uid, creationTimestamp, generateName, generation bumps, and object comparison that ignores key order.
 */
import { randomUUID, randomInt } from "node:crypto";
import { deepEqual } from "../api/json.js";
import type { KubeObject } from "../api/types.js";

/** metav1.Time formatting lives in api/time.ts; the store's writers and the API handlers import it from here too. */
export { rfc3339 } from "../api/time.js";

export function newUid(): string {
  return randomUUID();
}

// The alphabet of k8s.io/apimachinery/pkg/util/rand.String: no vowels (no words), no ambiguous 0/1/3.
const ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789";

/** `generateName` plus five random characters, as names.SimpleNameGenerator does. */
export function generateName(prefix: string): string {
  let suffix = "";
  for (let i = 0; i < 5; i++) suffix += ALPHANUMS[randomInt(ALPHANUMS.length)];
  return prefix + suffix;
}

/**
 * True when anything but metadata and status differs: the rule for bumping metadata.generation
 * (https://kubernetes.io/docs/reference/using-api/api-concepts/ — generation tracks the desired state).
 */
export function desiredStateChanged(a: KubeObject, b: KubeObject): boolean {
  return !deepEqual(withoutMetaAndStatus(a), withoutMetaAndStatus(b));
}

function withoutMetaAndStatus(o: KubeObject): Record<string, unknown> {
  const { metadata: _m, status: _s, ...rest } = o as KubeObject & { status?: unknown };
  return rest;
}

/**
 * True when two stored objects are the same apart from their resourceVersion: such an update is a no-op. Compared
 * as their JSON would be (key order and undefined fields do not count), without writing it.
 */
export function sameObject(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject) => ({ ...o, metadata: { ...o.metadata, resourceVersion: undefined } });
  return deepEqual(strip(a), strip(b));
}

/** A deep copy through JSON: stored objects are JSON by definition, and this drops undefined fields. */
export function cloneObject<T>(o: T): T {
  return JSON.parse(JSON.stringify(o)) as T;
}
