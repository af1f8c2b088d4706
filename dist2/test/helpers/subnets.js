/**
 * Subnets for tests: 10.X.0.0/16 blocks no route of this host uses yet, so test daemons and network harnesses
 * running at the same time (other files, other processes on a shared machine) never overlap.
 */
import { readFileSync } from "node:fs";
/** Second octets X with any route to 10.X.* on this host right now. */
export function usedOctets() {
    const used = new Set();
    for (const line of readFileSync("/proc/net/route", "utf8").split("\n").slice(1)) {
        const dest = line.split("\t")[1];
        if (!dest)
            continue;
        const n = parseInt(dest, 16);
        if ((n & 0xff) === 10)
            used.add((n >> 8) & 0xff);
    }
    return used;
}
const taken = new Set();
/**
 * An octet X such that 10.X.0.0/16 .. 10.(X+width-1).0.0/16 are all free, starting the search at `preferred` and
 * never handing the same one out twice in this process.
 */
export function freeOctets(preferred, width = 1) {
    const used = usedOctets();
    for (let i = 0; i < 150; i++) {
        const x = 100 + ((preferred - 100 + i) % 150);
        const block = Array.from({ length: width }, (_, k) => x + k);
        if (block.every((b) => b <= 250 && !used.has(b) && !taken.has(b))) {
            for (const b of block)
                taken.add(b);
            return x;
        }
    }
    throw new Error("no free 10.X.0.0/16 block for a test");
}
//# sourceMappingURL=subnets.js.map