/**
 * The daemon's V8 heap settings, applied as it starts (v8.setFlagsFromString, before it allocates much), so that
 * `nodelet daemon` runs with them however it is started (systemd, a shell, a test) without a re-exec.
 *
 * Measured with the churn soak (README, "Churn soak"): with V8's defaults the young generation grows from 2 to
 * 32 MB of semi-spaces within the first 100 pod cycles and stays there, a quarter of the daemon's RSS, mostly
 * garbage between scavenges. Kept at its initial size (--semi-space-growth-factor=1) it costs more frequent
 * scavenges — cheap, since little of a pod cycle survives one — and the daemon's RSS is ~25 MB lower throughout.
 * Tried and not kept (no gain measured over 2,000 cycles): --heap-growing-percent=20, a full GC every 30 s,
 * MALLOC_ARENA_MAX=2.
 */
import { setFlagsFromString } from "node:v8";
export const DAEMON_V8_FLAGS = ["--semi-space-growth-factor=1"];
/** Applies DAEMON_V8_FLAGS to this process (only the daemon calls this). */
export function tuneDaemonHeap() {
    for (const flag of DAEMON_V8_FLAGS)
        setFlagsFromString(flag);
}
//# sourceMappingURL=daemon-heap.js.map