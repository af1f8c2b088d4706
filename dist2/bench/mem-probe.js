/**
 * Loaded into the soak's daemon with `--import` (never by the daemon itself): every second it writes one JSON line
 * of where the process's memory is — process.memoryUsage() and V8's heap spaces — to the file named by
 * NODELET_MEM_PROBE, replacing the previous line, so the soak can tell JS heap growth from memory outside it.
 * The timer is unref'd: it never keeps the daemon alive. NODELET_SOAK_V8_FLAGS tries further V8 settings.
 */
import { writeFileSync } from "node:fs";
import { getHeapSpaceStatistics, setFlagsFromString } from "node:v8";
const file = process.env.NODELET_MEM_PROBE;
// Only the daemon reports (other node processes it may start inherit the environment).
if (file && process.argv.includes("daemon")) {
    // NODELET_SOAK_V8_FLAGS: V8 settings to try on the soak's daemon (beside the ones it sets itself, daemon-heap.ts).
    for (const flag of (process.env.NODELET_SOAK_V8_FLAGS ?? "").split(" ").filter(Boolean))
        setFlagsFromString(flag);
    const mb = (n) => Math.round((n / 1048576) * 10) / 10;
    setInterval(() => {
        const m = process.memoryUsage();
        const spaces = {};
        for (const s of getHeapSpaceStatistics())
            spaces[s.space_name] = mb(s.space_size);
        const line = { rss: mb(m.rss), heapTotal: mb(m.heapTotal), heapUsed: mb(m.heapUsed), external: mb(m.external), arrayBuffers: mb(m.arrayBuffers), spaces };
        writeFileSync(file, JSON.stringify(line));
    }, 1000).unref();
}
//# sourceMappingURL=mem-probe.js.map