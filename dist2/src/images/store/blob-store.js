/**
 * Content-addressed blobs (manifests, configs, layer archives) under DIR/<algorithm>/<hex>. A blob is written to a
 * temporary file beside its final place, fsynced, and renamed into place only after its digest matched, so the
 * store never holds a blob whose name lies about its content, and a failed or interrupted write leaves only a
 * temporary file that the next start removes.
 */
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, promises as fsp } from "node:fs";
import { join } from "node:path";
import { digestString, parseDigest } from "./layer-path.js";
export class DigestMismatchError extends Error {
    constructor(what, want, got) {
        super(`${what}: digest mismatch: expected ${want}, got ${got}`);
        this.name = "DigestMismatchError";
    }
}
export class BlobStore {
    dir;
    constructor(dir) {
        this.dir = dir;
    }
    path(d) {
        return join(this.dir, d.algorithm, d.hex);
    }
    async has(d) {
        return fsp.access(this.path(d)).then(() => true, (e) => {
            if (e.code === "ENOENT")
                return false;
            throw e;
        });
    }
    /** The blob's bytes (small blobs: manifests and configs), re-verified against their name. */
    async read(d, max = 4 << 20) {
        const fh = await fsp.open(this.path(d), "r");
        try {
            const st = await fh.stat();
            if (st.size > max)
                throw new Error(`blob ${digestString(d)}: ${st.size} bytes, more than ${max}`);
            const data = await fh.readFile();
            const got = createHash(d.algorithm).update(data).digest("hex");
            if (got !== d.hex)
                throw new DigestMismatchError(`blob ${this.path(d)}`, digestString(d), `${d.algorithm}:${got}`);
            return data;
        }
        finally {
            await fh.close();
        }
    }
    open(d) {
        return createReadStream(this.path(d));
    }
    /** Writes a small blob whose bytes are at hand; verifies them first. */
    async put(d, data) {
        const w = await this.writer(d, "blob");
        try {
            await w.write(data);
            await w.commit();
        }
        finally {
            await w.abort();
        }
    }
    /** A writer for a blob that arrives in chunks; commit() verifies and renames, abort() removes the temporary. */
    async writer(d, what) {
        await fsp.mkdir(join(this.dir, d.algorithm), { recursive: true });
        const tmp = join(this.dir, d.algorithm, `.tmp-${d.hex.slice(0, 16)}-${randomBytes(6).toString("hex")}`);
        return new BlobWriter(d, what, tmp, this.path(d), await fsp.open(tmp, "wx", 0o644));
    }
    /** Removes temporaries left by an interrupted write (at start, before any pull runs). */
    async removeTemporaries() {
        for (const alg of ["sha256", "sha512"]) {
            const names = await fsp.readdir(join(this.dir, alg)).catch(() => []);
            for (const n of names)
                if (n.startsWith(".tmp-"))
                    await fsp.rm(join(this.dir, alg, n), { force: true });
        }
    }
    /** Every committed blob's digest. */
    async list() {
        const out = [];
        for (const alg of ["sha256", "sha512"]) {
            const names = await fsp.readdir(join(this.dir, alg)).catch(() => []);
            for (const n of names)
                if (/^[a-f0-9]+$/.test(n))
                    out.push(`${alg}:${n}`);
        }
        return out;
    }
    async remove(d) {
        await fsp.rm(this.path(d), { force: true });
    }
}
export class BlobWriter {
    d;
    what;
    tmp;
    final;
    fh;
    hash;
    done = false;
    bytes = 0;
    constructor(d, what, tmp, final, fh) {
        this.d = d;
        this.what = what;
        this.tmp = tmp;
        this.final = final;
        this.fh = fh;
        this.hash = createHash(d.algorithm);
    }
    async write(chunk) {
        this.hash.update(chunk);
        this.bytes += chunk.length;
        await this.fh.write(chunk);
    }
    /** fsync, check the digest, rename into place. Throws DigestMismatchError (and removes the temporary). */
    async commit() {
        const got = this.hash.digest("hex");
        await this.fh.sync();
        await this.fh.close();
        this.done = true;
        if (got !== this.d.hex) {
            await fsp.rm(this.tmp, { force: true });
            throw new DigestMismatchError(this.what, digestString(this.d), `${this.d.algorithm}:${got}`);
        }
        await fsp.rename(this.tmp, this.final);
    }
    async abort() {
        if (!this.done) {
            this.done = true;
            await this.fh.close().catch(() => undefined);
        }
        await fsp.rm(this.tmp, { force: true });
    }
}
/** Parses and checks a digest string (re-exported for the store's callers). */
export { parseDigest };
//# sourceMappingURL=blob-store.js.map