/**
 * The pods/binding subresource's rules (pkg/registry/core/pod/storage BindingREST, ValidatePodBinding): a Binding
 * names the pod of the URL and a Node; the pod must not be bound already, deleting or scheduling-gated (409 Conflict
 * on pods/binding with upstream's wording); binding sets spec.nodeName, copies the Binding's annotations and marks
 * PodScheduled True. Pure: the API server's handler and the scheduler apply the same function.
 */
import { ApiError, type FieldError } from "./errors.js";
import { notSupported, required } from "./field.js";
import { isObject } from "./json.js";
import type { ObjectMeta, Pod, PodCondition } from "./types.js";

export interface Binding {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  target: { kind?: string; name?: string; apiVersion?: string };
}

/** The body of POST …/pods/NAME/binding, checked: a Binding of v1 naming that pod and a node. */
export function readBinding(body: unknown, urlName: string): Binding {
  if (!isObject(body)) throw ApiError.badRequest("the request body must be a Binding object");
  const b = body as unknown as Binding;
  if (b.kind !== undefined && b.kind !== "Binding") throw ApiError.badRequest(`the kind in the data (${String(b.kind)}) does not match the expected kind (Binding)`);
  if (b.apiVersion !== undefined && b.apiVersion !== "v1") throw ApiError.badRequest(`the API version in the data (${String(b.apiVersion)}) does not match the expected API version (v1)`);
  const meta = isObject(b.metadata) ? (b.metadata as ObjectMeta) : {};
  if (meta.name !== urlName) throw ApiError.badRequest("name in URL does not match name in Binding object");
  const target = isObject(b.target) ? (b.target) : {};
  const errs: FieldError[] = [];
  if (target.kind && target.kind !== "Node") errs.push(notSupported("target.kind", target.kind, ["Node", "<empty>"]));
  if (!target.name) errs.push(required("target.name"));
  if (errs.length) throw ApiError.invalid("Binding", urlName, errs);
  return { ...b, metadata: meta, target };
}

/** setPodHostAndAnnotations: the pod bound to `node`, or a Conflict on pods/binding saying why not. */
export function assignPod(pod: Pod, node: string, annotations: Record<string, string> | undefined, now: string): Pod {
  const name = pod.metadata.name ?? "";
  const refuse = (why: string) => ApiError.conflict("pods/binding", name, why);
  if (pod.metadata.deletionTimestamp) throw refuse(`pod ${name} is being deleted, cannot be assigned to a host`);
  if (pod.spec.nodeName) throw refuse(`pod ${name} is already assigned to node "${pod.spec.nodeName}"`);
  if (pod.spec.schedulingGates?.length) throw refuse(`pod ${name} has non-empty .spec.schedulingGates`);
  const metadata = annotations && Object.keys(annotations).length ? { ...pod.metadata, annotations: { ...pod.metadata.annotations, ...annotations } } : pod.metadata;
  return { ...pod, metadata, spec: { ...pod.spec, nodeName: node }, status: { ...pod.status, conditions: withCondition(pod.status?.conditions, { type: "PodScheduled", status: "True" }, now) } };
}

/** podutil.UpdatePodCondition: the condition replaced (its transition time kept unless the status changes). */
export function withCondition(conditions: readonly PodCondition[] | undefined, c: PodCondition, now: string): PodCondition[] {
  const old = conditions?.find((x) => x.type === c.type);
  const lastTransitionTime = old && old.status === c.status ? old.lastTransitionTime : now;
  const next: PodCondition = { ...c, lastProbeTime: null, lastTransitionTime };
  return old ? conditions!.map((x) => (x.type === c.type ? next : x)) : [...(conditions ?? []), next];
}
