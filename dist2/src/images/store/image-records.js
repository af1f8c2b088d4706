/**
 * The node's images: one record per image under DIR/records/<id>.json (id = the hex of its config digest, as
 * Docker and containerd name images), and one file mapping every tag ("docker.io/library/busybox:1.28") to an id.
 * Reads fail closed (sys/json-state.ts): only a missing file means "none"; an unreadable or corrupt one throws, so
 * no caller can take a damaged store for an empty one and pull over, or garbage-collect, what is there.
 * Writes within this process are serialised; each replaces its file atomically.
 */
import { promises as fsp, readdirSync } from "node:fs";
import { join } from "node:path";
import { readJsonState, writeJsonState } from "../../sys/json-state.js";
import { parseDigest } from "./layer-path.js";
export class ImageRecords {
    dir;
    chain = Promise.resolve();
    constructor(dir) {
        this.dir = dir;
    }
    get tagsFile() {
        return join(this.dir, "repositories.json");
    }
    recordFile(id) {
        return join(this.dir, "records", `${parseDigest(`sha256:${id}`, "image id").hex}.json`);
    }
    /** Runs `fn` after every earlier write of this process (a tag file update is read-modify-write). */
    serial(fn) {
        const p = this.chain.then(fn, fn);
        this.chain = p.catch(() => undefined);
        return p;
    }
    tags() {
        return readJsonState(this.tagsFile, "the image store") ?? {};
    }
    writeTags(tags) {
        writeJsonState(this.tagsFile, tags, { pretty: true });
    }
    get(id) {
        return readJsonState(this.recordFile(id), "the image store");
    }
    put(r) {
        writeJsonState(this.recordFile(r.id), r, { pretty: true });
    }
    async remove(id) {
        await fsp.rm(this.recordFile(id), { force: true });
    }
    /** Every image record, tagged or not. */
    all() {
        let names;
        try {
            names = readdirSync(join(this.dir, "records"));
        }
        catch (e) {
            if (e.code !== "ENOENT")
                throw e;
            names = [];
        }
        const out = [];
        for (const n of names) {
            const m = /^([a-f0-9]{64})\.json$/.exec(n);
            const r = m ? this.get(m[1]) : undefined;
            if (r)
                out.push(r);
        }
        return out;
    }
}
//# sourceMappingURL=image-records.js.map