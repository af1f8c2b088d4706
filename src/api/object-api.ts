/**
 * What a controller may do to API objects: the writes of the Kubernetes API with its semantics (admission,
 * defaulting, generated names, graceful pod deletion, finalizers, deletion propagation), and the reads informers
 * are built from (list, then watch from the list's resourceVersion). In the daemon it is served in-process by the
 * API server (apiserver/local-api.ts); in a separate control plane it would be a client of the same API. Nothing
 * here knows which.
 */
import type { KubeObject, WatchEvent } from "./types.js";

export type PropagationPolicy = "Background" | "Foreground" | "Orphan";

export interface ObjectDeleteOptions {
  /** Fail with Conflict unless the stored object has this uid. */
  uid?: string;
  /** Fail with Conflict unless the stored object has this resourceVersion. */
  resourceVersion?: string;
  propagationPolicy?: PropagationPolicy;
  gracePeriodSeconds?: number;
}

export interface ObjectListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

/** The write side: every call throws ApiError as the API would answer (NotFound, Conflict, Invalid...). */
export interface ObjectWriter {
  /** POST: admitted (defaults, generateName, validation), then stored. Returns the object as stored. */
  create<T extends KubeObject>(obj: T): T;
  /** PUT of the main resource (status is kept): optimistic on obj.metadata.resourceVersion when set. */
  update<T extends KubeObject>(obj: T): T;
  /** PUT of the status subresource (spec is kept). */
  updateStatus<T extends KubeObject>(obj: T): T;
  /** DELETE: graceful for pods, held by finalizers, with the given propagation. Returns the object as it now is. */
  delete(kind: string, namespace: string, name: string, opts?: ObjectDeleteOptions): KubeObject;
}

/** The read side informers use. */
export interface ObjectSource {
  get<T extends KubeObject>(kind: string, namespace: string, name: string): T | undefined;
  list<T extends KubeObject>(kind: string, opts?: ObjectListOptions): { items: T[]; resourceVersion: string };
  /** Changes after `resourceVersion`; throws ApiError Expired (410) when it is too old. Returns the stop function. */
  watch(kind: string, opts: ObjectListOptions & { resourceVersion?: string }, handler: (ev: WatchEvent) => void): () => void;
}

export interface ObjectApi extends ObjectWriter, ObjectSource {}
