/**
 * The proxier interface: one per mode (iptables, nftables, userspace), one chooser (createProxier in
 * proxy-controller.ts). A proxier makes the host forward service traffic as `state` says; it is told the whole
 * state each time and works out itself what to change.
 */
import type { Protocol, ProxyState } from "./model.js";

export type ProxyMode = "iptables" | "nftables" | "userspace";

export interface SyncStats {
  /** "full" when everything was written, "partial" when only what changed, "none" when nothing had changed. */
  kind: "full" | "partial" | "none";
  /** Size of what was written (bytes of rule text; for userspace, listeners changed). */
  size: number;
}

/**
 * What the firewall counted for one service port → endpoint: the packets and bytes of its NAT rule (an iptables
 * KUBE-SEP DNAT rule, an nftables endpoint map element). NAT sees only a connection's first packet, so `packets` is
 * the number of connections sent to the endpoint (cluster IP and node port together).
 */
export interface EndpointCount {
  clusterIP: string;
  port: number;
  protocol: Protocol;
  endpointIP: string;
  endpointPort: number;
  /** What the endpoint's NAT rule matched: a connection's first packet only, so these are connections. */
  packets: number;
  bytes: number;
  /** Every packet of those connections, both ways (nftables' endpoint-traffic sets; absent where not counted). */
  traffic?: { packets: number; bytes: number };
}

export interface Proxier {
  readonly mode: ProxyMode;
  /**
   * Makes the data path match `state`: one transaction per call for the rule-based modes. After a failure the
   * next call rewrites everything. Throws HostError with the tool's message.
   */
  sync(state: ProxyState): Promise<SyncStats>;
  /**
   * Releases what lives in this process (the userspace listeners) and leaves the host's rules in place, so that
   * traffic keeps flowing while the daemon restarts (kube-proxy's behaviour).
   */
  close(): Promise<void>;
  /**
   * The firewall's counters of the endpoints last applied (one read of the host's rules, not recorded); absent in
   * userspace mode, whose connections pass no rule.
   */
  endpointCounters?(): Promise<EndpointCount[]>;
  /** Removes everything this proxier made (rules, listeners); idempotent. */
  cleanup(): Promise<void>;
}
