/**
 * scheduling.k8s.io/v1 PriorityClass and the Priority admission plugin's rules, pure:
 * - the kind: defaulting (preemptionPolicy PreemptLowerPriority), validation (pkg/apis/scheduling/validation:
 *   a user class's value at most 1e9, names starting `system-` reserved for the built-in classes with their exact
 *   value, value and preemptionPolicy immutable);
 * - the built-in classes the API server creates at start (system-cluster-critical 2000000000,
 *   system-node-critical 2000001000; pkg/apis/scheduling/types.go, v1/defaults.go SystemPriorityClasses);
 * - what plugin/pkg/admission/priority does: a new pod's spec.priority from its priorityClassName, else the global
 *   default class (the lowest value of several), else 0; its preemptionPolicy from the class; a priority or policy
 *   written in the pod that differs from the class's refused; at most one globalDefault class.
 * The API server wiring that reads the classes from the store is cmd/priority-wiring.ts.
 */
import { forbidden, immutable, notSupported, required, type ErrorList } from "./field.js";
import { validateObjectMeta, validateObjectMetaUpdate } from "./meta-validation.js";
import { nameIsDNSSubdomain } from "./names.js";
import { strategy } from "./strategy.js";
import type { KubeObject, Pod } from "./types.js";

export type PreemptionPolicy = "PreemptLowerPriority" | "Never";

export interface PriorityClass extends KubeObject {
  apiVersion: "scheduling.k8s.io/v1";
  kind: "PriorityClass";
  value: number;
  globalDefault?: boolean;
  description?: string;
  preemptionPolicy?: PreemptionPolicy;
}

/** HighestUserDefinablePriority: user classes may not go above it. */
export const HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000;
/** SystemCriticalPriority: the floor of the built-in classes. */
export const SYSTEM_CRITICAL_PRIORITY = 2 * HIGHEST_USER_DEFINABLE_PRIORITY;
/** The prefix reserved for the built-in classes. */
export const SYSTEM_PRIORITY_CLASS_PREFIX = "system-";
/** What a pod gets when it names no class and no class is the global default. */
export const DEFAULT_PRIORITY_WHEN_NO_DEFAULT_CLASS_EXISTS = 0;

/** The fields' descriptions (k8s.io/api scheduling/v1 doc comments), for the table and the OpenAPI documents. */
export const PRIORITY_CLASS_DOC = "PriorityClass defines mapping from a priority class name to the priority integer value. The value can be any valid integer.";
export const PRIORITY_CLASS_FIELD_DOCS = {
  value: "value represents the integer value of this priority class. This is the actual priority that pods receive when they have the name of this class in their pod spec.",
  globalDefault:
    "globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class. Only one PriorityClass can be marked as `globalDefault`. However, if more than one PriorityClasses exists with their `globalDefault` field set to true, the smallest value of such global default PriorityClasses will be used as the default priority.",
  description: "description is an arbitrary string that usually provides guidelines on when this priority class should be used.",
  preemptionPolicy: "preemptionPolicy is the Policy for preempting pods with lower priority. One of Never, PreemptLowerPriority. Defaults to PreemptLowerPriority if unset.",
} as const;

const PREEMPTION_POLICIES: readonly PreemptionPolicy[] = ["PreemptLowerPriority", "Never"];

function builtIn(name: string, value: number, description: string): PriorityClass {
  return { apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass", metadata: { name }, value, description, preemptionPolicy: "PreemptLowerPriority" };
}

/** The classes every cluster has (SystemPriorityClasses), created by the API server at start and never deleted. */
export const SYSTEM_PRIORITY_CLASSES: readonly PriorityClass[] = [
  builtIn("system-node-critical", SYSTEM_CRITICAL_PRIORITY + 1000, "Used for system critical pods that must not be moved from their current node."),
  builtIn("system-cluster-critical", SYSTEM_CRITICAL_PRIORITY, "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary."),
];

export const isSystemPriorityClass = (name: string): boolean => SYSTEM_PRIORITY_CLASSES.some((c) => c.metadata.name === name);

/** IsKnownSystemPriorityClass: undefined when `pc` is one of the built-in classes as defined, else why not. */
function knownSystemClassError(pc: PriorityClass): string | undefined {
  const spc = SYSTEM_PRIORITY_CLASSES.find((c) => c.metadata.name === pc.metadata.name);
  if (!spc) return `${pc.metadata.name} is not a known system priority class`;
  if (spc.value !== pc.value) return `value of ${spc.metadata.name} PriorityClass must be ${spc.value}`;
  if ((pc.globalDefault ?? false) !== false) return `globalDefault of ${spc.metadata.name} PriorityClass must be false`;
  return undefined;
}

/** ValidatePreemptionPolicy. */
export function validatePreemptionPolicy(policy: string | undefined, path: string): ErrorList {
  if (policy === undefined) return [];
  if (policy === "") return [required(path)];
  return PREEMPTION_POLICIES.includes(policy as PreemptionPolicy) ? [] : [notSupported(path, policy, PREEMPTION_POLICIES)];
}

/** ValidatePriorityClass. */
export function validatePriorityClass(pc: PriorityClass): ErrorList {
  const errs = validateObjectMeta(pc.metadata, false, nameIsDNSSubdomain);
  const name = pc.metadata.name ?? "";
  if (name.startsWith(SYSTEM_PRIORITY_CLASS_PREFIX)) {
    const why = knownSystemClassError(pc);
    if (why) errs.push(forbidden("metadata.name", `priority class names with '${SYSTEM_PRIORITY_CLASS_PREFIX}' prefix are reserved for system use only. error: ${why}`));
  } else if ((pc.value ?? 0) > HIGHEST_USER_DEFINABLE_PRIORITY) {
    errs.push(forbidden("value", `maximum allowed value of a user defined priority is ${HIGHEST_USER_DEFINABLE_PRIORITY}`));
  }
  errs.push(...validatePreemptionPolicy(pc.preemptionPolicy, "preemptionPolicy"));
  return errs;
}

/** ValidatePriorityClassUpdate: name, value and preemptionPolicy never change (description and globalDefault may). */
export function validatePriorityClassUpdate(pc: PriorityClass, old: PriorityClass): ErrorList {
  const errs = validateObjectMetaUpdate(pc.metadata, old.metadata);
  if ((pc.value ?? 0) !== (old.value ?? 0)) errs.push(forbidden("value", "may not be changed in an update."));
  if (pc.preemptionPolicy !== old.preemptionPolicy) errs.push(immutable("preemptionPolicy", pc.preemptionPolicy));
  return errs;
}

export const priorityClassStrategy = strategy<PriorityClass>({
  hasStatus: false,
  defaults: (pc) => {
    pc.value ??= 0;
    pc.preemptionPolicy ??= "PreemptLowerPriority";
  },
  validateCreate: validatePriorityClass,
  validateUpdate: validatePriorityClassUpdate,
});

/** getDefaultPriorityClass: of the globalDefault classes, the one with the lowest value. */
export function defaultPriorityClass(classes: readonly PriorityClass[]): PriorityClass | undefined {
  let best: PriorityClass | undefined;
  for (const c of classes) if (c.globalDefault && (!best || c.value < best.value)) best = c;
  return best;
}

/**
 * validatePriorityClass (the admission half): a class marked globalDefault while another one already is, on
 * create or on an update of a different class, is refused with upstream's reason; undefined when allowed.
 */
export function globalDefaultConflict(pc: PriorityClass, classes: readonly PriorityClass[]): string | undefined {
  if (!pc.globalDefault) return undefined;
  const current = defaultPriorityClass(classes.filter((c) => c.metadata.name !== pc.metadata.name));
  return current ? `PriorityClass ${current.metadata.name} is already marked as default. Only one default can exist` : undefined;
}

/**
 * admitPod (create): sets spec.priorityClassName (the default class's name when the pod names none), spec.priority
 * and spec.preemptionPolicy on `pod` (mutated). `lookup` finds a class by name. Returns the reason the pod is
 * forbidden, or undefined.
 */
export function admitPodPriority(pod: Pod, lookup: (name: string) => PriorityClass | undefined, classes: () => readonly PriorityClass[]): string | undefined {
  const spec = pod.spec;
  let priority: number;
  let policy: PreemptionPolicy | undefined;
  if (!spec.priorityClassName) {
    const dpc = defaultPriorityClass(classes());
    priority = dpc?.value ?? DEFAULT_PRIORITY_WHEN_NO_DEFAULT_CLASS_EXISTS;
    policy = dpc ? dpc.preemptionPolicy : "PreemptLowerPriority";
    if (dpc) spec.priorityClassName = dpc.metadata.name;
  } else {
    const pc = lookup(spec.priorityClassName);
    if (!pc) return `no PriorityClass with name ${spec.priorityClassName} was found`;
    priority = pc.value;
    policy = pc.preemptionPolicy;
  }
  if (spec.priority !== undefined && spec.priority !== null && spec.priority !== priority) {
    return `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${priority} from the given PriorityClass name`;
  }
  spec.priority = priority;
  if (policy) {
    if (spec.preemptionPolicy && spec.preemptionPolicy !== policy) {
      return `the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${policy} from the given PriorityClass name`;
    }
    spec.preemptionPolicy = policy;
  }
  return undefined;
}

/** admitPod (update): the priority and policy set at create are kept when a replacement leaves them out. */
export function keepPodPriority(pod: Pod, old: Pod): void {
  if (pod.spec.priority === undefined && old.spec.priority !== undefined) pod.spec.priority = old.spec.priority;
  if (pod.spec.preemptionPolicy === undefined && old.spec.preemptionPolicy !== undefined) pod.spec.preemptionPolicy = old.spec.preemptionPolicy;
}
