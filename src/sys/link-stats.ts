/**
 * Packet and byte counters of network interfaces, from /sys/class/net/NAME/statistics (the kernel's rtnl_link_stats64,
 * what `ip -s link` prints), read without an exec: the web view re-reads every pod's veth every few seconds.
 */
import { promises as fsp } from "node:fs";
import { join } from "node:path";

export interface LinkStats {
  rxPackets: number;
  rxBytes: number;
  txPackets: number;
  txBytes: number;
}

const FILES = ["rx_packets", "rx_bytes", "tx_packets", "tx_bytes"] as const;

/** The counters of each named interface that exists (a missing one is left out); `root` is /sys/class/net. */
export async function readLinkStats(names: string[], root = "/sys/class/net"): Promise<Map<string, LinkStats>> {
  const out = new Map<string, LinkStats>();
  await Promise.all(
    names.map(async (name) => {
      if (!/^[A-Za-z0-9._@-]{1,15}$/.test(name)) return;
      try {
        const [rxPackets, rxBytes, txPackets, txBytes] = await Promise.all(FILES.map(async (f) => Number((await fsp.readFile(join(root, name, "statistics", f), "utf8")).trim())));
        out.set(name, { rxPackets, rxBytes, txPackets, txBytes });
      } catch {
        // The veth went with its pod between the list and the read.
      }
    }),
  );
  return out;
}
