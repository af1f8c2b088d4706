/**
 * ControllerRevisions as StatefulSets and DaemonSets keep them (pkg/controller/history, getPatch in
 * pkg/controller/statefulset and daemon): a revision's `data` is the strategic merge patch that puts the owner's
 * template back (`{"spec":{"template":{..., "$patch":"replace"}}}`, which is what `kubectl rollout undo` applies),
 * it is named `OWNER-HASH`, labelled with `controller-revision-hash`, owned by its controller, and numbered. The
 * newest revision equal to the template is reused (and renumbered when an older template comes back); history
 * beyond revisionHistoryLimit is trimmed, oldest first, never a revision a live pod still runs.
 */
import type { ControllerRevision, PodTemplateSpec } from "../../api/apps-types.js";
import { ApiError } from "../../api/errors.js";
import { clone, deepEqual } from "../../api/json.js";
import type { ObjectWriter } from "../../api/object-api.js";
import type { KubeObject } from "../../api/types.js";
import { newControllerRef } from "./pods.js";

export const CONTROLLER_REVISION_HASH_LABEL = "controller-revision-hash";

/** The patch that restores `template` (getPatch). */
export function revisionData(template: PodTemplateSpec): { spec: { template: Record<string, unknown> } } {
  return { spec: { template: { ...(clone(template) as unknown as Record<string, unknown>), $patch: "replace" } } };
}

/** ControllerRevisionName: the owner's name (at most 223 characters) and the hash. */
export function revisionName(owner: string, hash: string): string {
  return `${owner.slice(0, 223)}-${hash}`;
}

/** A revision of `owner` (not yet stored): its template's labels plus the hash label, a controller reference. */
export function newRevision(owner: KubeObject, template: PodTemplateSpec, hash: string, revision: number): ControllerRevision {
  return {
    apiVersion: "apps/v1",
    kind: "ControllerRevision",
    metadata: {
      name: revisionName(owner.metadata.name ?? "", hash),
      namespace: owner.metadata.namespace,
      labels: { ...(template.metadata?.labels ?? {}), [CONTROLLER_REVISION_HASH_LABEL]: hash },
      ownerReferences: [newControllerRef(owner)],
    },
    data: revisionData(template),
    revision,
  };
}

/** Oldest first (history.SortControllerRevisions: revision, then creation, then name). */
export function sortRevisions(revisions: ControllerRevision[]): ControllerRevision[] {
  return [...revisions].sort(
    (a, b) =>
      (a.revision ?? 0) - (b.revision ?? 0) ||
      Date.parse(a.metadata.creationTimestamp ?? "") - Date.parse(b.metadata.creationTimestamp ?? "") ||
      (a.metadata.name ?? "").localeCompare(b.metadata.name ?? ""),
  );
}

/** NextRevision: one more than the highest. */
export function nextRevision(revisions: ControllerRevision[]): number {
  return Math.max(0, ...revisions.map((r) => r.revision ?? 0)) + 1;
}

/** EqualRevision: same data (the hash label is only a shortcut upstream). */
export function equalRevision(a: ControllerRevision, b: ControllerRevision): boolean {
  return deepEqual(a.data ?? null, b.data ?? null);
}

/**
 * The revisions to delete so that at most `limit` remain besides those in `live` (names of revisions pods run,
 * the current and the update revision): the oldest go first.
 */
export function revisionsToTrim(revisions: ControllerRevision[], live: Set<string>, limit: number): ControllerRevision[] {
  const history = sortRevisions(revisions).filter((r) => !live.has(r.metadata.name ?? ""));
  return history.slice(0, Math.max(0, history.length - Math.max(0, limit)));
}

/**
 * The update revision for `candidate` (built by `make(collisionCount)`), as getStatefulSetRevisions / constructHistory
 * find or create it: the newest equal revision is reused, and renumbered to the next number when it is not the
 * newest (a template that came back); otherwise the candidate is stored, and a name taken by a different revision
 * bumps collisionCount and hashes again. Returns the revision and the collisionCount to record in status.
 */
export function ensureRevision(
  api: ObjectWriter,
  revisions: ControllerRevision[],
  make: (collisionCount: number) => ControllerRevision,
  collisionCount: number,
): { revision: ControllerRevision; collisionCount: number } {
  const sorted = sortRevisions(revisions);
  let candidate = make(collisionCount);
  const equal = sorted.filter((r) => equalRevision(r, candidate));
  const newest = sorted.at(-1);
  if (equal.length) {
    const found = equal[equal.length - 1];
    if (found === newest) return { revision: found, collisionCount };
    return { revision: api.update<ControllerRevision>({ ...found, revision: candidate.revision }), collisionCount };
  }
  for (let tries = 0; tries < 100; tries++) {
    try {
      return { revision: api.create<ControllerRevision>(candidate), collisionCount };
    } catch (err) {
      if (!(err instanceof ApiError) || err.code !== 409) throw err;
      const taken = revisions.find((r) => r.metadata.name === candidate.metadata.name);
      if (taken && equalRevision(taken, candidate)) return { revision: taken, collisionCount };
      collisionCount++;
      candidate = make(collisionCount);
    }
  }
  throw new Error(`no free name for a revision of ${candidate.metadata.name}`);
}
