/**
 * What a kind contributes to admission, modelled on the API server's per-resource "strategy"
 * (k8s.io/apiserver/pkg/registry/rest): defaulting, create/update preparation, validation. admission.ts picks the
 * strategy of a kind and runs the steps in the API server's order. Every step receives a private copy of the
 * object and may mutate it.
 */
import type { ErrorList } from "./field.js";
import type { KubeObject } from "./types.js";

export interface StrategyContext {
  /** This node's name (pods are bound to it on create). */
  nodeName: string;
  /** Random numbers in [0, 1) for generated names; Math.random when absent. */
  random?: () => number;
}

export interface KindStrategy<T extends KubeObject = KubeObject> {
  /** The v1 defaulters, run on every write before validation. */
  defaults(obj: T): void;
  /** Create only: admission plugins and status reset (PrepareForCreate). */
  prepareForCreate?(obj: T, ctx: StrategyContext): void;
  /** Update only: carry over what a write to the main resource may not change, and fill allocated values. */
  prepareForUpdate?(obj: T, old: T): void;
  validateCreate(obj: T): ErrorList;
  /** Validation of a replacement, including the kind's immutability rules (metadata rules are checked too). */
  validateUpdate(obj: T, old: T): ErrorList;
  /** True when the kind has a status subresource: the main resource then never changes status. */
  hasStatus: boolean;
}

/** Erases the element type so strategies of different kinds fit in one table. */
export function strategy<T extends KubeObject>(s: KindStrategy<T>): KindStrategy {
  return s;
}
