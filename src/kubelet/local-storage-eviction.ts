/**
 * The kubelet's local storage eviction (pkg/kubelet/eviction/eviction_manager.go localStorageEviction), run every
 * round whatever the node's signals: a pod whose ephemeral storage (its containers' writable layers and logs and
 * its local volumes) exceeds the sum of its containers' `limits.ephemeral-storage`, or a container whose writable
 * layer and logs exceed its own limit, is evicted at once with the kubelet's message. Pure; the manager evicts.
 * (emptyDir sizeLimit is enforced when the volume is made, not here.)
 */
import type { Container, Pod } from "../api/types.js";
import { formatQuantity, tryParseQuantity, type QuantityValue } from "../api/quantity.js";
import type { PodUsage } from "./eviction.js";

/** The kubelet's podEphemeralStorageMessageFmt and containerEphemeralStorageMessageFmt. */
export const podEphemeralStorageMessage = (limit: string) => `Pod ephemeral local storage usage exceeds the total limit of containers ${limit}. `;
export const containerEphemeralStorageMessage = (name: string, limit: string) => `Container ${name} exceeded its local ephemeral storage limit ${JSON.stringify(limit)}. `;

function limitOf(c: Container): QuantityValue | undefined {
  const q = c.resources?.limits?.["ephemeral-storage"];
  if (q === undefined) return undefined;
  const v = tryParseQuantity(q);
  return typeof v === "string" ? undefined : v;
}

const sum = (qs: QuantityValue[]): QuantityValue | undefined =>
  qs.length === 0 ? undefined : { nanos: qs.reduce((n, q) => n + q.nanos, 0n), format: qs[0].format };

/**
 * The pod's ephemeral-storage limit (resourcehelper.PodLimits): the sum over its app containers and sidecars,
 * or the largest limit of a one-off init container if that is more; undefined when no container sets one.
 */
export function podEphemeralStorageLimit(pod: Pod): QuantityValue | undefined {
  const inits = pod.spec.initContainers ?? [];
  const sidecars = inits.filter((c) => c.restartPolicy === "Always");
  const total = sum([...pod.spec.containers, ...sidecars].map(limitOf).filter((q): q is QuantityValue => q !== undefined));
  let out = total;
  for (const c of inits) {
    if (c.restartPolicy === "Always") continue;
    const q = limitOf(c);
    if (q && (!out || q.nanos > out.nanos)) out = q;
  }
  return out;
}

/** Whether the pod has any ephemeral-storage limit (only those pods need measuring). */
export const hasEphemeralStorageLimit = (pod: Pod): boolean =>
  [...pod.spec.containers, ...(pod.spec.initContainers ?? [])].some((c) => limitOf(c) !== undefined);

/** The eviction message for `pod` over its local storage limits, or undefined. The pod limit is checked first. */
export function localStorageViolation(pod: Pod, usage: PodUsage): string | undefined {
  const podLimit = podEphemeralStorageLimit(pod);
  if (podLimit && usage.diskBytes !== undefined && BigInt(usage.diskBytes) * 1_000_000_000n > podLimit.nanos) {
    return podEphemeralStorageMessage(formatQuantity(podLimit));
  }
  for (const s of usage.containers) {
    const c = pod.spec.containers.find((x) => x.name === s.name);
    const limit = c && limitOf(c);
    if (!limit || limit.nanos === 0n || s.diskBytes === undefined) continue;
    if (BigInt(s.diskBytes) * 1_000_000_000n > limit.nanos) return containerEphemeralStorageMessage(s.name, formatQuantity(limit));
  }
  return undefined;
}
