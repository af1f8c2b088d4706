/**
 * The ResourceQuota admission plugin (plugin/pkg/admission/resourcequota) for a new or changed object, given its
 * namespace's quotas, in name order: a pod must state cpu and memory when a quota limits them (`failed quota: NAME:
 * must specify requests.cpu for: web`); what the object adds must keep every quota within its hard limits
 * (`exceeded quota: NAME, requested: requests.cpu=500m, used: requests.cpu=1500m, limited: requests.cpu=2`).
 * An admitted object's usage is added to each quota's status.used at once (the controller recounts later), so
 * requests in a row cannot overrun a quota between recounts. Pure: the caller stores the quotas returned.
 */
import { add, exceeded, isZero, mask, objectUsage, podConstraints, prettyPrint, quotaMatches, subtract, toResourceList, toUsage, type Usage } from "../../api/quota-usage.js";
import type { ResourceQuota } from "../../api/quota.js";
import type { KubeObject, Pod } from "../../api/types.js";

export interface QuotaOutcome {
  /** The refusal's reason (after `pods "x" is forbidden: `). */
  error?: string;
  /** The quotas with the object's usage added, to store when the object is. */
  charged: ResourceQuota[];
}

/**
 * `usedOf(quota)`: the quota's current usage — its status while the status is current (status.hard is spec.hard),
 * else counted afresh by the caller.
 */
export function chargeQuotas(obj: KubeObject, old: KubeObject | undefined, quotas: ResourceQuota[], usedOf: (rq: ResourceQuota) => Usage, now: number): QuotaOutcome {
  const charged: ResourceQuota[] = [];
  const byName = [...quotas].sort((a, b) => ((a.metadata.name ?? "") < (b.metadata.name ?? "") ? -1 : 1));
  for (const rq of byName) {
    const hard = toUsage(rq.spec?.hard);
    const names = [...hard.keys()];
    if (!names.length || !quotaMatches(rq, obj)) continue;
    if (obj.kind === "Pod" && !old) {
      const missing = podConstraints(obj as Pod, names);
      if (missing) return { error: `failed quota: ${rq.metadata.name}: ${missing}`, charged: [] };
    }
    let delta = mask(objectUsage(obj, now), names);
    if (old && quotaMatches(rq, old)) delta = subtract(delta, mask(objectUsage(old, now), names));
    if (isZero(delta)) continue;
    const used = usedOf(rq);
    const next = add(used, delta);
    const over = exceeded(mask(next, delta.keys()), hard);
    if (over.length) {
      return {
        error: `exceeded quota: ${rq.metadata.name}, requested: ${prettyPrint(mask(delta, over))}, used: ${prettyPrint(mask(used, over))}, limited: ${prettyPrint(mask(hard, over))}`,
        charged: [],
      };
    }
    charged.push({ ...rq, status: { hard: rq.spec?.hard, used: toResourceList(mask(next, names)) } });
  }
  return { charged };
}
