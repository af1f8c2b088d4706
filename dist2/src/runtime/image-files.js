/**
 * Filling an image's root filesystem: the base directories every container expects, host files copied to the same
 * path (symlink chains kept, so /usr/bin/python3 → python3.11 still resolves); the libraries come from
 * elf-libraries.ts.
 */
import { promises as fsp } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
const PASSWD = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n";
const GROUP = "root:x:0:\ntty:x:5:\nnogroup:x:65534:\n";
/** Directories and files a container's runtime mounts onto or programs look for. */
export async function populateBaseDirs(rootfs) {
    for (const d of ["proc", "sys", "dev", "etc", "root", "tmp", "run", "var/tmp", "var/run", "bin", "usr/bin", "mnt", "home"]) {
        await fsp.mkdir(join(rootfs, d), { recursive: true });
    }
    await fsp.chmod(join(rootfs, "tmp"), 0o1777);
    await fsp.chmod(join(rootfs, "var/tmp"), 0o1777);
    await fsp.chmod(join(rootfs, "root"), 0o700);
    await fsp.writeFile(join(rootfs, "etc/passwd"), PASSWD);
    await fsp.writeFile(join(rootfs, "etc/group"), GROUP);
    // Mount points for the files the kubelet manages per pod.
    for (const f of ["etc/hostname", "etc/hosts", "etc/resolv.conf"])
        await fsp.writeFile(join(rootfs, f), "");
}
/**
 * Copies a host path into rootfs at the same location. A symlink is recreated and its target copied too; a
 * directory is copied recursively with its links kept as links.
 */
export async function copyHostPath(hostPath, rootfs, seen = new Set()) {
    if (seen.has(hostPath))
        return;
    seen.add(hostPath);
    await copyParents(hostPath, rootfs, seen);
    const dest = join(rootfs, hostPath);
    const st = await fsp.lstat(hostPath);
    if (st.isSymbolicLink()) {
        const target = await fsp.readlink(hostPath);
        await fsp.rm(dest, { force: true, recursive: true });
        await fsp.symlink(target, dest);
        await copyHostPath(isAbsolute(target) ? target : resolve(dirname(hostPath), target), rootfs, seen);
    }
    else if (st.isDirectory()) {
        await fsp.cp(hostPath, dest, { recursive: true, verbatimSymlinks: true, force: true });
    }
    else {
        await fsp.copyFile(hostPath, dest);
        await fsp.chmod(dest, st.mode & 0o7777);
    }
}
/** Recreates the parent directories of a host path inside rootfs (see ensureDir). */
async function copyParents(hostPath, rootfs, seen) {
    await ensureDir(dirname(hostPath), rootfs, seen);
}
/**
 * Makes a host directory exist inside rootfs. When it is a symlink on the host (Debian's /lib → usr/lib), the same
 * link is made in the image and its target directory ensured, so the paths the loader finds stay valid there; the
 * directory's contents are not copied.
 */
async function ensureDir(hostDir, rootfs, seen) {
    if (hostDir === "/" || seen.has(`dir:${hostDir}`))
        return;
    seen.add(`dir:${hostDir}`);
    await ensureDir(dirname(hostDir), rootfs, seen);
    const dest = join(rootfs, hostDir);
    const st = await fsp.lstat(hostDir);
    const existing = await fsp.lstat(dest).catch(() => undefined);
    if (!st.isSymbolicLink() || existing?.isDirectory()) {
        await fsp.mkdir(dest, { recursive: true });
        return;
    }
    const target = await fsp.readlink(hostDir);
    if (!existing)
        await fsp.symlink(target, dest);
    await ensureDir(isAbsolute(target) ? target : resolve(dirname(hostDir), target), rootfs, seen);
}
//# sourceMappingURL=image-files.js.map