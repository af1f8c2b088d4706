/**
 * Learns container exits the moment they happen: each monitor renames an exit record into one directory, and an
 * inotify watch on that directory (fs.watch) reports it — no polling, no relist. A scan at start and on demand
 * catches records written while nobody was watching (the daemon was down).
 */
import { watch, promises as fsp } from "node:fs";
import { join } from "node:path";
export class ExitWatcher {
    dir;
    onExit;
    watcher;
    seen = new Set();
    constructor(dir, onExit) {
        this.dir = dir;
        this.onExit = onExit;
    }
    async start() {
        await fsp.mkdir(this.dir, { recursive: true });
        this.watcher = watch(this.dir, (_event, file) => {
            if (file && file.endsWith(".json"))
                void this.check(file.slice(0, -5));
        });
        await this.scan();
    }
    stop() {
        this.watcher?.close();
        this.watcher = undefined;
    }
    /** Reads every exit record present now (for exits that happened while nobody watched). */
    async scan() {
        const files = await fsp.readdir(this.dir).catch(() => []);
        for (const f of files)
            if (f.endsWith(".json"))
                await this.check(f.slice(0, -5));
    }
    /** Checks one container's exit record; reports it once. */
    async check(id) {
        if (this.seen.has(id))
            return true;
        const record = await this.read(id);
        if (!record)
            return false;
        if (this.seen.has(id))
            return true;
        this.seen.add(id);
        this.onExit(id, record);
        return true;
    }
    /** A container's exit record, read again whether or not it was reported (the resync's second look). */
    async read(id) {
        try {
            return JSON.parse(await fsp.readFile(join(this.dir, `${id}.json`), "utf8"));
        }
        catch {
            return undefined;
        }
    }
    /** Removes a container's exit record once the container itself is removed. */
    async forget(id) {
        this.seen.delete(id);
        await fsp.rm(join(this.dir, `${id}.json`), { force: true });
    }
}
//# sourceMappingURL=exit-watcher.js.map