/**
 * Packet and byte counters of network interfaces, read without an exec: the web view re-reads every pod's veth every
 * few seconds while a page is open.
 *
 * From /proc/net/dev, one file for every interface of the daemon's network namespace: the same rtnl_link_stats64
 * that /sys/class/net/NAME/statistics/* and `ip -s link` show (net/core/net-procfs.c dev_seq_printf_stats), but one
 * read of a few dozen KB instead of four sysfs files an interface (400 opens, reads and closes a tick at 100 pods).
 * Read synchronously: procfs never waits on a disk, and fs.promises costs a 64 KB buffer and ~250 us of CPU for each
 * file that reports no size (sys/cgroups/files.ts).
 */
import { readFileSync } from "node:fs";

export interface LinkStats {
  rxPackets: number;
  rxBytes: number;
  txPackets: number;
  txBytes: number;
}

/**
 * The counters of each named interface that exists (a missing one is left out). `devFile` is /proc/net/dev; `names`
 * undefined means every interface in it.
 */
export function readLinkStats(names: Iterable<string> | undefined, devFile = "/proc/net/dev"): Map<string, LinkStats> {
  return parseProcNetDev(readFileSync(devFile, "utf8"), names === undefined ? undefined : new Set(names));
}

/**
 * /proc/net/dev's text → counters by interface. After two header lines each line is `NAME: ` and 16 numbers: receive
 * bytes, packets, errs, drop, fifo, frame, compressed, multicast, then transmit bytes, packets, … (an interface
 * name holds no ':' nor whitespace: dev_valid_name).
 */
export function parseProcNetDev(text: string, wanted?: ReadonlySet<string>): Map<string, LinkStats> {
  const out = new Map<string, LinkStats>();
  for (const line of text.split("\n")) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    if (wanted && !wanted.has(name)) continue;
    const f = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    if (f.length < 16 || f.some((n) => !Number.isFinite(n))) continue;
    out.set(name, { rxBytes: f[0], rxPackets: f[1], txBytes: f[8], txPackets: f[9] });
  }
  return out;
}
