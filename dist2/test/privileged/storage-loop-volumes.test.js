/**
 * The local provisioner on the real kernel: a volume is a hard limit (ENOSPC just past its size), growth is offline
 * (and waits while the filesystem is held elsewhere), a volume the disk cannot hold is refused with nothing made,
 * and 100 volumes created and deleted leave no loop device, mount or file. Only this test's own images are looked
 * at: other tests use loop devices at the same time.
 */
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalProvisioner } from "../../src/storage/local-provisioner.js";
import { HostRunner } from "../../src/sys/runner.js";
import { needsRoot, skipUnless, needsCommand } from "../helpers/root.js";
const skip = skipUnless(needsRoot(), needsCommand("mkfs.ext4"), needsCommand("losetup"));
const MiB = 1024 * 1024;
/** Loop devices, mounts and files of this test's root only. */
function footprint(root) {
    const loops = (spawnSync("losetup", ["-a"], { encoding: "utf8" }).stdout ?? "").split("\n").filter((l) => l.includes(root));
    const mounts = readFileSync("/proc/self/mountinfo", "utf8").split("\n").filter((l) => l.includes(root));
    const dir = join(root, "volumes");
    const files = existsSync(dir) ? readdirSync(dir) : [];
    return { loops, mounts, files };
}
/** Bytes `dd` could write into dir/fill before the filesystem said no (and whether it said ENOSPC). */
function fill(dir) {
    const r = spawnSync("dd", ["if=/dev/zero", `of=${join(dir, "fill")}`, "bs=1M", "count=1000", "conv=fsync"], { encoding: "utf8" });
    const m = /(\d+) bytes/.exec(r.stderr);
    return { bytes: Number(m?.[1] ?? 0), enospc: /No space left on device/.test(r.stderr) };
}
describe("local provisioner: loop-mounted ext4 volumes", { skip }, () => {
    const root = skip ? "" : mkdtempSync(join(tmpdir(), "nodelet-volumes-"));
    const runner = new HostRunner();
    const prov = new LocalProvisioner(join(root, "volumes"), runner);
    after(async () => {
        if (skip)
            return;
        await prov.removeAll(() => undefined).catch(() => undefined);
        rmSync(root, { recursive: true, force: true });
    });
    test("a 64 Mi volume takes about 64 MiB and then ENOSPC; the image is sparse", async () => {
        const { path } = await prov.provision("pvc-limit", 64 * MiB, "Filesystem");
        assert.equal(path, join(root, "volumes", "pvc-limit", "mount"));
        const r = fill(path);
        assert.ok(r.enospc, "dd got ENOSPC");
        assert.ok(r.bytes >= 64 * MiB, `at least the request fits: ${r.bytes}`);
        assert.ok(r.bytes <= 70 * MiB, `not much more than the request: ${r.bytes}`);
        await prov.delete("pvc-limit");
        assert.deepEqual(footprint(root), { loops: [], mounts: [], files: [] });
    });
    test("growth is offline: the file grows at once, the filesystem when nothing holds it", async () => {
        const { path } = await prov.provision("pvc-grow", 32 * MiB, "Filesystem");
        execFileSync("sh", ["-c", `echo kept > ${path}/data`]);
        // Held elsewhere (as a container's mount namespace would): a second mount of the same loop device.
        const img = prov.image("pvc-grow");
        const dev = (await img.attachedDevice());
        const other = join(root, "other");
        execFileSync("mkdir", ["-p", other]);
        execFileSync("mount", [dev, other]);
        try {
            assert.equal(await prov.expand("pvc-grow", 96 * MiB, false), false, "still mounted elsewhere: pending");
            assert.ok(img.resizePending());
            assert.ok(existsSync(join(path, "data")), "remounted from the same device after the attempt");
        }
        finally {
            execFileSync("umount", [other]);
        }
        assert.equal(await prov.expand("pvc-grow", 96 * MiB, false), true);
        assert.equal(img.resizePending(), false);
        const st = statfsSync(path);
        assert.ok(st.blocks * st.bsize >= 96 * MiB, `filesystem grew: ${st.blocks * st.bsize}`);
        assert.equal(readFileSync(join(path, "data"), "utf8"), "kept\n");
        // A pending growth is finished at the next mount (after a reboot, the mount is gone).
        assert.equal(await prov.expand("pvc-grow", 128 * MiB, true), false, "in use: the file only");
        await img.unmount();
        await prov.ensureMounted("pvc-grow");
        assert.equal(img.resizePending(), false);
        assert.equal(readFileSync(join(path, "data"), "utf8"), "kept\n");
        await prov.delete("pvc-grow");
        assert.deepEqual(footprint(root), { loops: [], mounts: [], files: [] });
    });
    test("a volume larger than the free disk is refused, naming the sizes, with nothing made", async () => {
        const small = new LocalProvisioner(join(root, "volumes"), runner, () => 100 * MiB);
        await assert.rejects(small.provision("pvc-huge", 1024 * MiB, "Filesystem"), /insufficient disk space: the claim needs \d+ MiB \(1024 MiB requested plus filesystem overhead\) and .* has 100 MiB free/);
        assert.deepEqual(footprint(root), { loops: [], mounts: [], files: [] });
    });
    test("a Block volume is a raw image on a loop device the volume owns: attached once, grown online, detached", async () => {
        const { path } = await prov.provision("pvc-raw", 8 * MiB, "Block");
        assert.equal(path, join(root, "volumes", "pvc-raw", "disk.img"));
        const dev = await prov.ensureAttached("pvc-raw");
        assert.deepEqual(await prov.ensureAttached("pvc-raw"), dev, "attached once");
        assert.equal(dev.major, 7);
        assert.equal(execFileSync("blockdev", ["--getsize64", dev.path], { encoding: "utf8" }).trim(), String(8 * MiB));
        assert.equal(await prov.expand("pvc-raw", 12 * MiB, true), true, "a block device grows while in use");
        assert.equal(execFileSync("blockdev", ["--getsize64", dev.path], { encoding: "utf8" }).trim(), String(12 * MiB));
        assert.equal(footprint(root).loops.length, 1);
        await prov.delete("pvc-raw");
        assert.deepEqual(footprint(root), { loops: [], mounts: [], files: [] });
    });
    test("100 volumes created and deleted leave no loop device, mount or file", async () => {
        const before = footprint(root);
        const names = Array.from({ length: 100 }, (_, i) => `pvc-churn-${i}`);
        // Five at a time, as claims made together would be (and the loop devices are then taken concurrently).
        const inBatches = async (fn) => {
            for (let i = 0; i < names.length; i += 5)
                await Promise.all(names.slice(i, i + 5).map(fn));
        };
        await inBatches((n) => prov.provision(n, 16 * MiB, "Filesystem"));
        assert.equal(footprint(root).mounts.length, 100);
        assert.equal(footprint(root).loops.length, 100);
        await inBatches((n) => prov.delete(n));
        assert.deepEqual(footprint(root), before);
    });
});
//# sourceMappingURL=storage-loop-volumes.test.js.map