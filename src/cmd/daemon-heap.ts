/**
 * The daemon's V8 heap settings, applied as it starts (v8.setFlagsFromString, before it allocates much), so that
 * `nodelet daemon` runs with them however it is started (systemd, a shell, a test) without a re-exec.
 *
 * Measured with the churn soak (README, "Churn soak"; bench/soak-bench.ts): with V8's defaults the young generation
 * grows from 2 to 32 MB of semi-spaces within the first 100 pod cycles and stays there, mostly garbage between
 * scavenges; kept at its initial size (--semi-space-growth-factor=1) the daemon's RSS is ~25 MB lower throughout,
 * and a second 50,000-event listing still rises only ~4 MB (e2e/events-pagination.test.ts).
 * Tried and not kept: --heap-growing-percent=20 with --compact-on-every-full-gc keeps the old generation's committed
 * size within a few MB of its use (another ~20 MB less at 2,000 cycles, same pod throughput), but the heap then
 * shrinks back after every large list and a repeated 50,000-event listing rises +39 MB each time (over the issue's
 * +20 MB); a forced full GC every 30 s and MALLOC_ARENA_MAX=2 gained nothing measurable over 2,000 cycles.
 *
 * --optimize-for-size: V8 sizes the old generation by how fast the program allocates against how fast it collects
 * (a growing factor of up to 4 on a machine with gigabytes to spare), and keeps what it committed once a burst has
 * passed. Under churn that was most of the daemon's growth: 40 MB used, 63 MB committed after 2,000 cycles, where the
 * reachable heap stays ~33 MB. This flag caps the factor at V8's conservative 1.3 and compacts fragmented pages more
 * eagerly, with no hard limit on the heap: after 10,000 cycles 40/47 MB and 1.26x the RSS at 100 cycles, against
 * 43/62 MB and 1.33x with V8's defaults (README, "Churn soak").
 */
import { setFlagsFromString } from "node:v8";

export const DAEMON_V8_FLAGS: readonly string[] = ["--semi-space-growth-factor=1", "--optimize-for-size"];

/**
 * The control plane lets its young generation grow: it allocates a copy of every object it serves, stores and
 * watches, and with the semi-spaces held at their start size those copies were scavenged (and promoted) over and over.
 * The scale bench (100 hollow nodes, 3,000 pods; two pairs of runs at load 2-5): 9.5 and 10.1 ms of control-plane CPU
 * a pod with DAEMON_V8_FLAGS, 8.4 and 9.1 ms with this (0.9x), 174/151 against 193/179 pods bound a second.
 */
export const CONTROL_PLANE_V8_FLAGS: readonly string[] = ["--optimize-for-size"];

/**
 * NODELET_DAEMON_V8_FLAGS, when set, replaces the role's flags (`defaults`; space-separated; empty: V8's own
 * defaults), so their cost can be measured on the same build (bench/heap-flag-bench.ts) or a setting dropped where it
 * does not pay.
 */
export function daemonV8Flags(env: NodeJS.ProcessEnv = process.env, defaults: readonly string[] = DAEMON_V8_FLAGS): readonly string[] {
  const set = env.NODELET_DAEMON_V8_FLAGS;
  return set === undefined ? defaults : set.split(/\s+/).filter(Boolean);
}

/** Applies a role's V8 settings to this process (the daemon's and a node's by default; the control plane's its own). */
export function tuneDaemonHeap(defaults: readonly string[] = DAEMON_V8_FLAGS): void {
  for (const flag of daemonV8Flags(process.env, defaults)) setFlagsFromString(flag);
}
