/**
 * Subnets for tests: 10.X.0.0/16 blocks no route of this host uses yet, so test daemons and network harnesses
 * running at the same time (other files, other processes on a shared machine) never overlap.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";

/** Second octets X with any route to 10.X.* on this host right now. */
export function usedOctets(): Set<number> {
  const used = new Set<number>();
  for (const line of readFileSync("/proc/net/route", "utf8").split("\n").slice(1)) {
    const dest = line.split("\t")[1];
    if (!dest) continue;
    const n = parseInt(dest, 16);
    if ((n & 0xff) === 10) used.add((n >> 8) & 0xff);
  }
  return used;
}

const taken = new Set<number>();

/**
 * Claims on octets, one file per octet holding the claiming process's pid: two test processes started at the same
 * moment both see a block without routes, and the route check alone would hand it to both.
 */
const CLAIMS = "/run/nodelet-test-octets";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Takes octet `x` for this process unless a live process holds it; a dead holder's claim is taken over. */
function claim(x: number): boolean {
  const file = `${CLAIMS}/${x}`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: "wx" });
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      let holder: number;
      try {
        holder = Number(readFileSync(file, "utf8"));
      } catch {
        continue; // released between our attempt and the read
      }
      if (holder === process.pid || (Number.isInteger(holder) && holder > 0 && alive(holder))) return false;
      rmSync(file, { force: true });
    }
  }
  return false;
}

function releaseClaims(): void {
  for (const x of taken) {
    try {
      if (Number(readFileSync(`${CLAIMS}/${x}`, "utf8")) === process.pid) rmSync(`${CLAIMS}/${x}`, { force: true });
    } catch {
      // already released or taken over
    }
  }
}

/**
 * An octet X such that 10.X.0.0/16 .. 10.(X+width-1).0.0/16 are all free, starting the search at `preferred` and
 * never handing the same one out twice, in this process or to another test process running now.
 */
export function freeOctets(preferred: number, width = 1): number {
  mkdirSync(CLAIMS, { recursive: true });
  if (taken.size === 0) process.once("exit", releaseClaims);
  const used = usedOctets();
  for (let i = 0; i < 150; i++) {
    const x = 100 + ((preferred - 100 + i) % 150);
    const block = Array.from({ length: width }, (_, k) => x + k);
    if (!block.every((b) => b <= 250 && !used.has(b) && !taken.has(b))) continue;
    const claimed: number[] = [];
    for (const b of block) {
      if (!claim(b)) break;
      claimed.push(b);
    }
    if (claimed.length === width) {
      for (const b of block) taken.add(b);
      return x;
    }
    for (const b of claimed) rmSync(`${CLAIMS}/${b}`, { force: true });
  }
  throw new Error("no free 10.X.0.0/16 block for a test");
}
