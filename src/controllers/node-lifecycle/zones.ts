/**
 * Zones and their disruption states (nodelifecycle's handleDisruption, ComputeZoneState, setLimiterInZone), pure.
 * A zone is the nodes sharing topology.kubernetes.io/region and zone labels. Its state from its nodes' Ready
 * conditions: FullDisruption when none is Ready; PartialDisruption when more than 2 are not Ready and they are at
 * least --unhealthy-zone-threshold (0.55) of it; Normal otherwise. The tainting rate per zone follows the state:
 * Normal and FullDisruption --node-eviction-rate (0.1/s); PartialDisruption --secondary-node-eviction-rate (0.01/s)
 * when the zone has more than --large-cluster-size-threshold (50) nodes, else 0 (no evictions). When every zone is
 * fully disrupted the controller assumes the fault is its own (the master's network) and stops all tainting.
 */
import type { Node, NodeCondition } from "../../api/types.js";

export type ZoneState = "Initial" | "Normal" | "PartialDisruption" | "FullDisruption";

export interface EvictionRates {
  /** --node-eviction-rate: nodes per second whose pods may be evicted in a healthy zone. */
  evictionQps: number;
  /** --secondary-node-eviction-rate: the same in an unhealthy zone of a large cluster. */
  secondaryEvictionQps: number;
  /** --large-cluster-size-threshold. */
  largeClusterThreshold: number;
  /** --unhealthy-zone-threshold. */
  unhealthyZoneThreshold: number;
}

export const DEFAULT_EVICTION_RATES: EvictionRates = { evictionQps: 0.1, secondaryEvictionQps: 0.01, largeClusterThreshold: 50, unhealthyZoneThreshold: 0.55 };

/** Nodes with this label are left out of the zones' disruption counts. */
export const EXCLUDE_DISRUPTION_LABEL = "node.kubernetes.io/exclude-disruption";

/** nodetopology.GetZoneKey: "region:\0:zone" ("" when the node has neither label). */
export function zoneKey(node: Node): string {
  const l = node.metadata.labels ?? {};
  const region = l["topology.kubernetes.io/region"] ?? l["failure-domain.beta.kubernetes.io/region"] ?? "";
  const zone = l["topology.kubernetes.io/zone"] ?? l["failure-domain.beta.kubernetes.io/zone"] ?? "";
  return region === "" && zone === "" ? "" : `${region}:\x00:${zone}`;
}

/** ComputeZoneState over the Ready conditions of a zone's nodes (undefined: never posted). */
export function computeZoneState(ready: (NodeCondition | undefined)[], unhealthyZoneThreshold: number): ZoneState {
  const readyNodes = ready.filter((c) => c?.status === "True").length;
  const notReady = ready.length - readyNodes;
  if (readyNodes === 0 && notReady > 0) return "FullDisruption";
  if (notReady > 2 && notReady / ready.length >= unhealthyZoneThreshold) return "PartialDisruption";
  return "Normal";
}

/** setLimiterInZone: the tainting rate of a zone of `size` nodes in `state`. */
export function zoneQps(state: ZoneState, size: number, r: EvictionRates): number {
  if (state === "PartialDisruption") return size > r.largeClusterThreshold ? r.secondaryEvictionQps : 0;
  return r.evictionQps;
}

export type DisruptionStep =
  /** Every zone went fully disrupted: remove every NoExecute taint, stop all tainting. */
  | { kind: "enterMasterDisruption" }
  /** Some zone is back from full disruption of all: reset every probe timestamp and every zone's rate. */
  | { kind: "exitMasterDisruption" }
  /** Zones whose state changed get the rate of their new state. */
  | { kind: "zonesChanged"; zones: string[] }
  | { kind: "none" };

/**
 * handleDisruption's decision, given the remembered states of zones (`old`, zones gone already dropped) and the new
 * ones. A zone seen for the first time starts in Initial.
 */
export function disruptionStep(old: ReadonlyMap<string, ZoneState>, now: ReadonlyMap<string, ZoneState>): DisruptionStep {
  const allAre = [...now.values()].every((s) => s === "FullDisruption");
  const was = [...now.keys()].map((k) => old.get(k) ?? "Initial");
  const allWere = was.every((s) => s === "FullDisruption");
  if (allAre && allWere) return { kind: "none" };
  if (allAre) return { kind: "enterMasterDisruption" };
  if (allWere) return { kind: "exitMasterDisruption" };
  const zones = [...now.entries()].filter(([k, s]) => (old.get(k) ?? "Initial") !== s).map(([k]) => k);
  return zones.length ? { kind: "zonesChanged", zones } : { kind: "none" };
}
