/**
 * The node's provisioner (`nodelet.io/local`): every volume is a loop-mounted ext4 image (loop-image.ts) under
 * ROOT/volumes/NAME, so a claim's size is a hard limit. It refuses a claim the disk cannot hold, counting the space
 * the other (sparse) images may still take. Used by the PV controller (provision, delete, expand) and by the
 * kubelet's persistentVolumeClaim plugin (mount, including after a daemon restart or a reboot).
 */
import { readdirSync, statfsSync, statSync } from "node:fs";
import { join } from "node:path";
import { imageBytesFor, LoopImage } from "./loop-image.js";
export const LOCAL_PROVISIONER = "nodelet.io/local";
const MiB = 1024 * 1024;
const mib = (n) => `${Math.ceil(n / MiB)} MiB`;
/**
 * Serves the PV controller's VolumeProvisioner contract (controllers/pv-binder/provisioner.ts): provision, delete,
 * expand (true when the filesystem has grown, false when it waits for its pods to go), release (Retain: unmounted,
 * files kept).
 */
export class LocalProvisioner {
    dir;
    runner;
    freeBytes;
    name = LOCAL_PROVISIONER;
    constructor(
    /** ROOT/volumes */
    dir, runner, freeBytes = () => diskFree(dir)) {
        this.dir = dir;
        this.runner = runner;
        this.freeBytes = freeBytes;
    }
    image(name) {
        if (!/^[a-z0-9][a-z0-9.-]*$/.test(name))
            throw new Error(`invalid volume name ${JSON.stringify(name)}`);
        return new LoopImage(join(this.dir, name), this.runner);
    }
    /** Names of the volumes with a directory here. */
    names() {
        try {
            return readdirSync(this.dir);
        }
        catch {
            return [];
        }
    }
    async provision(name, bytes, volumeMode) {
        const img = this.image(name);
        // A directory left by a crash between creating the image and creating the PersistentVolume: start over.
        await img.remove();
        const need = volumeMode === "Block" ? bytes : imageBytesFor(bytes);
        const promised = this.names().reduce((n, v) => n + this.image(v).uncommittedBytes(), 0);
        const free = this.freeBytes() - promised;
        if (need > free) {
            throw new Error(`insufficient disk space: the claim needs ${mib(need)} (${mib(bytes)} requested plus filesystem overhead) and ${this.dir} has ${mib(Math.max(0, free))} free after the ${mib(promised)} other volumes may still use`);
        }
        try {
            await this.runner.mkdir(this.dir, undefined, 0o700);
            if (volumeMode === "Block") {
                await img.createRaw(bytes);
                await img.attach();
                return { path: img.image };
            }
            await img.create(bytes);
            await img.mount([], true);
        }
        catch (err) {
            await img.remove().catch(() => undefined);
            throw err;
        }
        return { path: img.target };
    }
    /** The loop device of a Block volume for a pod (attached again after a reboot), with its numbers. */
    async ensureAttached(name) {
        const img = this.image(name);
        if (!img.exists())
            throw new Error(`volume ${name} has no image at ${img.image}`);
        const path = await img.attach();
        const rdev = statSync(path).rdev;
        // Linux dev_t: major in bits 8-19, minor in bits 0-7 and 20-31 (new_decode_dev).
        return { path, major: (rdev >> 8) & 0xfff, minor: (rdev & 0xff) | ((rdev >> 12) & 0xfff00) };
    }
    async delete(name) {
        await this.image(name).remove();
    }
    async expand(name, bytes, inUse) {
        const img = this.image(name);
        if (!img.exists())
            throw new Error(`volume ${name} has no image at ${img.image}`);
        const free = this.freeBytes();
        const st = img.state();
        const size = (n) => (st?.block ? n : imageBytesFor(n));
        const more = size(bytes) - size(st?.bytes ?? 0);
        if (more > free)
            throw new Error(`insufficient disk space: growing to ${mib(bytes)} needs ${mib(more)} more and ${this.dir} has ${mib(free)} free`);
        if (st?.block) {
            await img.growRaw(bytes);
            return true;
        }
        if (inUse) {
            await img.growFile(bytes);
            return false;
        }
        return img.grow(bytes);
    }
    /**
     * The mounted path of volume `name` for a pod, mounting it if needed (after a reboot, or a crash); a pending
     * offline growth is finished first when no other pod holds the filesystem.
     */
    async ensureMounted(name) {
        const img = this.image(name);
        if (!img.exists())
            throw new Error(`volume ${name} has no image at ${img.image}`);
        if (img.resizePending())
            await img.finishResize();
        await img.mount();
        return img.target;
    }
    async release(name) {
        const img = this.image(name);
        if (img.exists())
            await img.unmount();
    }
    /** Unmounts and removes every volume (nodelet reset). */
    async removeAll(log) {
        for (const name of this.names()) {
            log(`removing volume ${name}`);
            await this.image(name).remove();
        }
    }
}
function diskFree(dir) {
    // The volumes directory may not exist yet: its parent (the state root) is on the same filesystem.
    for (const d of [dir, join(dir, "..")]) {
        try {
            const st = statfsSync(d);
            return st.bavail * st.bsize;
        }
        catch {
            // try the parent
        }
    }
    return 0;
}
//# sourceMappingURL=local-provisioner.js.map