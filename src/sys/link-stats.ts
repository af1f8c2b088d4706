/**
 * Packet and byte counters of network interfaces, from /sys/class/net/NAME/statistics (the kernel's rtnl_link_stats64,
 * what `ip -s link` prints), read without an exec: the web view re-reads every pod's veth every few seconds.
 *
 * Read synchronously, one interface at a time: a sysfs read never waits on a disk, and Node's synchronous UTF-8 read
 * costs ~16 us where fs.promises costs ~250 us of CPU and a 64 KB buffer for each file that reports no size (as in
 * sys/cgroups/files.ts); 100 veths are 400 files every tick while a page is open.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { setImmediate as yieldToLoop } from "node:timers/promises";

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
  for (const name of names) {
    if (!/^[A-Za-z0-9._@-]{1,15}$/.test(name)) continue;
    // The loop is held for one interface's four reads at a time.
    await yieldToLoop();
    try {
      const [rxPackets, rxBytes, txPackets, txBytes] = FILES.map((f) => Number(readFileSync(join(root, name, "statistics", f), "utf8").trim()));
      out.set(name, { rxPackets, rxBytes, txPackets, txBytes });
    } catch {
      // The veth went with its pod between the list and the read.
    }
  }
  return out;
}
