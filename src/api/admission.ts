/**
 * Admission: what happens to an object between the request body and the store. Defaulting (as the API server's
 * defaulters do), then validation (as its validators do). Pure: no I/O, no clock but the one passed in.
 *
 * CONTRACT (implemented in this folder; the API server calls only these two functions):
 * - admitCreate(obj, ctx): returns the defaulted object; throws ApiError "Invalid" (422) carrying one FieldError per
 *   problem, or ApiError "BadRequest" when the object is not an object of a kind we serve.
 * - admitUpdate(obj, old, ctx): the same for a replacement of `old`, plus the update rules of the kind (a pod's spec
 *   is immutable except the fields Kubernetes allows to change).
 */
import type { KubeObject } from "./types.js";

export interface AdmissionContext {
  /** This node's name: pods are bound to it (spec.nodeName) on create. */
  nodeName: string;
}

export function admitCreate<T extends KubeObject>(obj: T, _ctx: AdmissionContext): T {
  return obj;
}

export function admitUpdate<T extends KubeObject>(obj: T, _old: T, _ctx: AdmissionContext): T {
  return obj;
}
