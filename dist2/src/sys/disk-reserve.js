/**
 * The daemon's disk reserve: a file of real (not sparse) blocks in the state root that the daemon gives back the
 * moment one of its own writes finds the disk full, so the writes that free space — deleting a pod, failing it as
 * Evicted, the node's DiskPressure condition and the events about it — still succeed on a disk a pod filled to
 * 100%. It is taken again once the filesystem has room for it twice over. Without it, SQLite's writes fail with
 * SQLITE_FULL and nothing that would fix the node can be recorded.
 */
import { closeSync, existsSync, openSync, renameSync, rmSync, statfsSync, writeSync } from "node:fs";
/** The largest reserve: enough for thousands of store writes (each a few 4 KiB pages of the WAL). */
export const MAX_RESERVE_BYTES = 8 * 1024 * 1024;
/** The reserve for a filesystem of `capacity` bytes: 8 MiB, or 5% of a small one, in whole 4 KiB pages. */
export function reserveSize(capacity) {
    return Math.max(4096, Math.min(MAX_RESERVE_BYTES, Math.floor((capacity * 0.05) / 4096) * 4096));
}
export class DiskReserve {
    path;
    size;
    log;
    onRelease;
    holding = false;
    /**
     * `path` must be on the filesystem the daemon writes to (the state root). `onRelease` is told when the reserve
     * was given back, so pressure is looked at now rather than at the next round.
     */
    constructor(path, size, log = () => undefined, onRelease = () => undefined) {
        this.path = path;
        this.size = size;
        this.log = log;
        this.onRelease = onRelease;
        this.holding = existsSync(path);
    }
    /** Whether the reserve is held now. */
    get held() {
        return this.holding;
    }
    /** The bytes of the reserve not held now: space the filesystem shows free but the daemon has promised itself. */
    shortfall() {
        return this.holding ? 0 : this.size;
    }
    /**
     * Takes the reserve if it is not held and the filesystem has room for it twice over (so taking it never itself
     * fills the disk). Returns whether it is held afterwards. The file is written whole under a temporary name first.
     */
    ensure() {
        if (this.holding)
            return true;
        const fs = statfsSync(this.path.slice(0, this.path.lastIndexOf("/")) || "/");
        if (fs.bavail * fs.bsize < 2 * this.size)
            return false;
        const tmp = `${this.path}.tmp`;
        try {
            const fd = openSync(tmp, "w", 0o600);
            try {
                const chunk = Buffer.alloc(Math.min(this.size, 1024 * 1024));
                for (let done = 0; done < this.size;)
                    done += writeSync(fd, chunk, 0, Math.min(chunk.length, this.size - done));
            }
            finally {
                closeSync(fd);
            }
            renameSync(tmp, this.path);
            this.holding = true;
            this.log(`disk reserve of ${this.size} bytes taken at ${this.path}`);
            return true;
        }
        catch (err) {
            rmSync(tmp, { force: true });
            this.log(`disk reserve not taken: ${err.message}`);
            return false;
        }
    }
    /** Gives the reserve back (a write found the disk full). Returns whether there was anything to give. */
    release() {
        if (!this.holding && !existsSync(this.path))
            return false;
        rmSync(this.path, { force: true });
        this.holding = false;
        this.log(`disk full: disk reserve of ${this.size} bytes released at ${this.path} so the node's own writes succeed`);
        this.onRelease();
        return true;
    }
}
//# sourceMappingURL=disk-reserve.js.map