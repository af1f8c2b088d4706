/**
 * Which pods' veths carried traffic between two reads of their counters, leaving out what the bridge sends to every
 * port alike (pure).
 *
 * A frame the bridge floods — a broadcast such as an ARP request, a frame to a MAC address it has forgotten, IPv6
 * multicast — leaves through every port but the one it came in by, so every idle veth's host end transmits it. On a
 * 100-pod node that moved every veth's counters every few seconds, and a page open on the topology was sent every
 * edge on every tick. The flooded share is what every quiet port transmitted alike: the fewest packets any veth
 * whose pod sent nothing (its host end received nothing) transmitted. A veth moved when its pod sent a packet, or
 * when it was sent more than that share: a packet for that pod alone.
 */
import type { LinkCounters } from "./topology.js";

export interface LinkMovement {
  /** The interfaces whose counters moved beyond the flooding (and those new since the last read). */
  moved: Set<string>;
  /**
   * Packets sent to single pods beyond the flooding, summed over the veths: every connection to or from a pod on the
   * bridge adds to it (the SYN or request reaches the server's veth, the answer the client's), an ARP request does not.
   */
  unicast: number;
}

/**
 * Below this many quiet ports the flooded share is not told apart (taken as none): with one or two pods, one pod's
 * own traffic would pass for flooding, and there are too few edges for the difference to matter.
 */
const MIN_QUIET_PORTS = 3;

/** What moved from `prev` to `next` (the counters of the same veths at two reads). */
export function linkMovement(prev: ReadonlyMap<string, LinkCounters>, next: ReadonlyMap<string, LinkCounters>): LinkMovement {
  const moved = new Set<string>();
  const seen: { name: string; sent: number; received: number }[] = [];
  for (const [name, n] of next) {
    const p = prev.get(name);
    const sent = p ? n.rxPackets - p.rxPackets : -1;
    const received = p ? n.txPackets - p.txPackets : -1;
    // New, or counting from zero again (a new veth under an old name): moved, and nothing to compare.
    if (sent < 0 || received < 0) moved.add(name);
    else seen.push({ name, sent, received });
  }
  const quiet = seen.filter((s) => s.sent === 0);
  const flooded = quiet.length >= MIN_QUIET_PORTS ? Math.min(...quiet.map((s) => s.received)) : 0;
  let unicast = 0;
  for (const s of seen) {
    if (s.sent > 0 || s.received > flooded) moved.add(s.name);
    unicast += Math.max(0, s.received - flooded);
  }
  return { moved, unicast };
}
