/**
 * client-go's leader election metric, `leader_election_master_status{name=LEASE}`: 1 while this process leads the
 * Lease, 0 while it stands by. Scraped from each replica's /metrics, it tells which replica leads without matching
 * holder identities (`nodelet cluster status` reads it so).
 */
import { gaugeFamily, type Family } from "./registry.js";

export const LEADER_METRIC = "leader_election_master_status";
const HELP = "Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master. 'name' is the string used to identify the lease. Please make sure to group by name.";

export class LeaderStatus {
  private readonly leading = new Map<string, boolean>();

  /** `name` is the Lease's name (kube-controller-manager, kube-scheduler), as client-go labels it. */
  set(name: string, leading: boolean): void {
    this.leading.set(name, leading);
  }

  /** The gauge, one sample per Lease this process is a candidate for (none when it runs no election). */
  families(): Family[] {
    if (this.leading.size === 0) return [];
    return [gaugeFamily(LEADER_METRIC, HELP, [...this.leading].sort(([a], [b]) => a.localeCompare(b)).map(([name, on]) => ({ labels: { name }, value: on ? 1 : 0 })))];
  }
}

/** The Leases a scrape of `text` (the text exposition format) says its process leads. */
export function leasesLed(text: string): string[] {
  const led: string[] = [];
  const re = new RegExp(`^${LEADER_METRIC}\\{name="([^"]*)"\\} 1$`, "gm");
  for (let m = re.exec(text); m; m = re.exec(text)) led.push(m[1]);
  return led.sort();
}
