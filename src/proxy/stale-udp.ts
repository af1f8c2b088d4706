/** Which UDP endpoints a sync removed from a service (pure): their conntrack entries must go. */
import type { ProxyState } from "./model.js";

export function staleUdpEndpoints(prev: ProxyState, next: ProxyState): { clusterIP: string; endpointIP: string }[] {
  const now = new Map(next.services.filter((s) => s.protocol === "UDP").map((s) => [`${s.name}/${s.clusterIP}`, new Set(s.endpoints.map((e) => e.ip))]));
  const out: { clusterIP: string; endpointIP: string }[] = [];
  for (const s of prev.services) {
    if (s.protocol !== "UDP") continue;
    const live = now.get(`${s.name}/${s.clusterIP}`) ?? new Set<string>();
    for (const e of s.endpoints) if (!live.has(e.ip)) out.push({ clusterIP: s.clusterIP, endpointIP: e.ip });
  }
  return out;
}
