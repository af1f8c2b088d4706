/**
 * nodelet-shim monitor: a real container from a busybox image, proven from inside — PID namespace, root
 * filesystem, capabilities, masked and read-only paths, volumes and the symlink tricks an image can play.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { needsRoot } from "../helpers/root.js";
import { capMask, DEFAULT_CAPS, mountsMentioning, podNamespaces, runContainer, Scratch, shim, monitorArgs, startContainer, startSandbox, stopSandbox, waitExitFile, } from "../helpers/shim-harness.js";
const skip = needsRoot();
const sh = (script) => ["sh", "-c", script];
describe("shim monitor: isolation", { skip }, () => {
    test("COMMAND is PID 1 of its own PID namespace and ps sees only the container", () => Scratch.with(async (s) => {
        const r = await runContainer(s, { cmd: sh("echo $$; ps -o pid,comm; true") });
        assert.equal(r.exit.exitCode, 0, r.stderr);
        const [pid1, header, ...procs] = r.stdout.trim().split("\n");
        assert.equal(pid1, "1");
        assert.match(header, /PID/);
        assert.deepEqual(procs.map((l) => l.trim().split(/\s+/)), [["1", "sh"], ["2", "ps"]]);
    }));
    test("hostname, network and IPC come from the sandbox", () => Scratch.with(async (s) => {
        const pause = await startSandbox(s, ["--hostname", "web-1"]);
        const r = await runContainer(s, {
            cmd: sh("hostname; ls /sys/class/net; for t in net ipc uts; do readlink /proc/self/ns/$t; done"),
            flags: podNamespaces(pause),
        });
        assert.equal(r.exit.exitCode, 0, r.stderr);
        const [hostname, ifaces, net, ipc, uts] = r.stdout.trim().split("\n");
        assert.equal(hostname, "web-1");
        assert.equal(ifaces, "lo", "a fresh sysfs of the pod's network namespace shows only lo");
        for (const [type, seen] of [["net", net], ["ipc", ipc], ["uts", uts]]) {
            assert.equal(seen, readlinkSync(`/proc/${pause}/ns/${type}`), `${type} namespace is the pod's`);
            assert.notEqual(seen, readlinkSync(`/proc/self/ns/${type}`), `${type} namespace is not the host's`);
        }
        await stopSandbox(pause);
    }));
    test("/ is the image: its marker is there, the host's files are not", () => Scratch.with(async (s) => {
        const r = await runContainer(s, { cmd: sh("cat /marker; ls /; test -e /usr/lib/os-release && echo HOST-VISIBLE; test -e /work && echo HOST-VISIBLE; true") });
        assert.equal(r.exit.exitCode, 0, r.stderr);
        assert.match(r.stdout, /^from-the-image\n/);
        assert.doesNotMatch(r.stdout, /HOST-VISIBLE/);
    }));
    test("a write to / lands in --upper, not in the image", () => Scratch.with(async (s) => {
        const r = await runContainer(s, { cmd: sh("echo written > /new-file && cat /new-file") });
        assert.equal(r.stdout, "written\n", r.stderr);
        assert.equal(readFileSync(join(r.paths.upper, "new-file"), "utf8"), "written\n");
        assert.equal(existsSync(join(s.image(), "new-file")), false);
    }));
    test("rootfs variants: a lone read-only layer, or a plain directory bound onto itself", () => Scratch.with(async (s) => {
        const lone = monitorArgs(s, { cmd: ["sh", "-c", "cat /marker; touch /x"], name: "lone" })
            .filter((a, i, all) => !["--upper", "--work"].includes(a) && !["--upper", "--work"].includes(all[i - 1]));
        const r1 = await shim(lone);
        assert.match(r1.stdout, /^ok /);
        const e1 = await waitExitFile(s.path("lone", "exit.json"));
        assert.equal(e1.exitCode, 1, "touch / fails on the read-only layer");
        assert.match(readFileSync(s.path("lone", "logs", "0.log"), "utf8"), /stdout F from-the-image\n.*stderr F touch: \/x: Read-only file system/s);
        const plain = monitorArgs(s, { cmd: ["sh", "-c", "cat /marker; touch /x"], name: "plain" })
            .filter((a, i, all) => !["--upper", "--work", "--lower"].includes(a) && !["--upper", "--work", "--lower"].includes(all[i - 1]));
        plain[plain.indexOf("--rootfs") + 1] = s.image();
        const r2 = await shim(plain);
        assert.match(r2.stdout, /^ok /);
        assert.equal((await waitExitFile(s.path("plain", "exit.json"))).exitCode, 0);
        assert.ok(existsSync(join(s.image(), "x")), "writes go straight to the directory");
    }));
    test("--shm binds the pod's shared /dev/shm", () => Scratch.with(async (s) => {
        const shm = s.path("pod-shm");
        mkdirSync(shm);
        const r = await runContainer(s, { cmd: sh("echo shared > /dev/shm/seg"), flags: ["--shm", shm] });
        assert.equal(r.exit.exitCode, 0, r.stderr);
        assert.equal(readFileSync(join(shm, "seg"), "utf8"), "shared\n");
    }));
    test("no container mount shows in the host's mount table, even while it runs", () => Scratch.with(async (s) => {
        const c = await startContainer(s, { cmd: ["sleep", "100"], flags: ["--tmpfs", "/scratch", "size=1m"] });
        assert.deepEqual(mountsMentioning(s.dir), []);
        process.kill(c.pid, "SIGKILL");
        await waitExitFile(c.paths.exit);
    }));
});
describe("shim monitor: security defaults", { skip }, () => {
    test("mounting fails with the default capabilities", () => Scratch.with(async (s) => {
        const r = await runContainer(s, { cmd: sh("mount -t tmpfs x /tmp && echo MOUNTED; echo rc=$?") });
        assert.doesNotMatch(r.stdout, /MOUNTED/);
        assert.match(r.stderr, /mount: permission denied/);
    }));
    test("CapBnd/CapEff are the kept set, NoNewPrivs is 1", () => Scratch.with(async (s) => {
        const r = await runContainer(s, { cmd: ["cat", "/proc/self/status"] });
        const field = (name) => new RegExp(`^${name}:\\s+(\\S+)$`, "m").exec(r.stdout)?.[1];
        const kept = capMask(DEFAULT_CAPS);
        assert.equal(field("CapBnd"), kept);
        assert.equal(field("CapEff"), kept);
        assert.equal(field("CapPrm"), kept);
        assert.equal(field("CapAmb"), "0000000000000000");
        assert.equal(field("NoNewPrivs"), "1");
    }));
    test("a non-root user ends with no capabilities and its own ids", () => Scratch.with(async (s) => {
        const r = await runContainer(s, {
            cmd: sh("id; grep -E '^Cap(Eff|Prm|Bnd)' /proc/self/status"),
            flags: ["--uid", "65534", "--gid", "65534", "--groups", "5,65534"],
        });
        assert.match(r.stdout, /uid=65534\(nobody\) gid=65534\(nogroup\) groups=5\(tty\),65534\(nogroup\)/);
        assert.match(r.stdout, /CapEff:\s+0{16}/);
        assert.match(r.stdout, /CapPrm:\s+0{16}/);
        assert.match(r.stdout, new RegExp(`CapBnd:\\s+${capMask(DEFAULT_CAPS)}`));
    }));
    test("/proc/sys is read-only: core_pattern cannot be written", () => Scratch.with(async (s) => {
        const before = readFileSync("/proc/sys/kernel/core_pattern", "utf8");
        const r = await runContainer(s, {
            cmd: sh("echo '|/tmp/pwn' > /proc/sys/kernel/core_pattern && echo WROTE; grep ' /proc/sys ' /proc/self/mountinfo"),
        });
        assert.doesNotMatch(r.stdout, /WROTE/);
        assert.match(r.stderr, /Read-only file system/);
        assert.match(r.stdout, / \/proc\/sys ro,/);
        assert.equal(readFileSync("/proc/sys/kernel/core_pattern", "utf8"), before);
    }));
    test("masked paths: files read empty, directories are empty; missing ones (/proc/kcore here) are skipped", () => Scratch.with(async (s) => {
        // This host has no /proc/kcore; /proc/keys and /proc/timer_list exist and prove file masking instead.
        assert.ok(readFileSync("/proc/keys", "utf8").length > 0, "the host's /proc/keys has content");
        const r = await runContainer(s, {
            cmd: sh("wc -c < /proc/keys; wc -c < /proc/timer_list; ls -A /proc/acpi | wc -l; ls -A /sys/firmware | wc -l; test -e /proc/kcore || echo no-kcore"),
        });
        assert.equal(r.exit.exitCode, 0, r.stderr);
        assert.deepEqual(r.stdout.trim().split("\n").map((l) => l.trim()), ["0", "0", "0", "0", "no-kcore"]);
    }));
    test("--privileged keeps every capability and leaves /proc and /sys writable", () => Scratch.with(async (s) => {
        const r = await runContainer(s, {
            cmd: sh("grep CapEff /proc/self/status; wc -c < /proc/keys; grep ' /sys ' /proc/self/mountinfo; mount -t tmpfs x /tmp && echo MOUNTED"),
            secure: false,
            flags: ["--privileged"],
        });
        assert.doesNotMatch(r.stdout, /CapEff:\s+0{16}/);
        assert.match(r.stdout, new RegExp(`CapEff:\\s+[0-9a-f]*[1-9a-f][0-9a-f]*`));
        assert.match(r.stdout, / \/sys rw,/);
        assert.match(r.stdout, /MOUNTED/);
    }));
    test("--readonly-rootfs: / is read-only, /tmp from --tmpfs and /dev/shm stay writable", () => Scratch.with(async (s) => {
        const r = await runContainer(s, {
            cmd: sh("touch /x 2>&1; touch /tmp/x /dev/shm/x && echo TMP-OK"),
            flags: ["--readonly-rootfs", "--tmpfs", "/tmp", "size=1m,mode=1777"],
        });
        assert.match(r.stdout, /Read-only file system/);
        assert.match(r.stdout, /TMP-OK/);
    }));
    test("/dev holds only the safe devices, a private devpts and the standard links", () => Scratch.with(async (s) => {
        const r = await runContainer(s, {
            cmd: sh("ls -A /dev | tr '\\n' ' '; echo; echo hi > /dev/null && head -c 4 /dev/zero | wc -c; readlink /dev/ptmx; readlink /dev/fd; ls /dev/pts"),
        });
        assert.equal(r.exit.exitCode, 0, r.stderr);
        const [devs, zero, ptmx, fd] = r.stdout.split("\n");
        assert.deepEqual(devs.trim().split(" ").sort(), ["fd", "full", "null", "ptmx", "pts", "random", "shm", "stderr", "stdin", "stdout", "tty", "urandom", "zero"]);
        assert.equal(zero.trim(), "4");
        assert.equal(ptmx, "pts/ptmx");
        assert.equal(fd, "/proc/self/fd");
    }));
});
describe("shim monitor: volumes", { skip }, () => {
    test("--bind read-write and read-only, of a directory and of a file", () => Scratch.with(async (s) => {
        const rw = s.path("vol-rw"), ro = s.path("vol-ro"), file = s.path("config.txt");
        mkdirSync(rw);
        mkdirSync(ro);
        writeFileSync(join(ro, "data"), "read-only data\n");
        writeFileSync(file, "config\n");
        const r = await runContainer(s, {
            cmd: sh("echo from-container > /data/out; cat /ro/data; echo x > /ro/new 2>&1; cat /etc/app/config.txt; grep -E ' /(ro|data) ' /proc/self/mountinfo"),
            flags: ["--bind", rw, "/data", "rw", "--bind", ro, "/ro", "ro,nosuid,nodev", "--bind", file, "/etc/app/config.txt", "ro"],
        });
        assert.equal(readFileSync(join(rw, "out"), "utf8"), "from-container\n");
        assert.match(r.stdout, /read-only data\n/);
        assert.match(r.stderr + r.stdout, /Read-only file system/);
        assert.equal(existsSync(join(ro, "new")), false);
        assert.match(r.stdout, /config\n/);
        assert.match(r.stdout, / \/ro ro,nosuid,nodev/);
        assert.match(r.stdout, / \/data rw/);
    }));
    test("--bind-sub mounts a subPath and creates it when missing", () => Scratch.with(async (s) => {
        const vol = s.path("vol");
        mkdirSync(join(vol, "a"), { recursive: true });
        writeFileSync(join(vol, "a", "f"), "in a\n");
        const r = await runContainer(s, {
            cmd: sh("cat /a/f; echo new > /b/g"),
            flags: ["--bind-sub", vol, "a", "/a", "ro", "--bind-sub", vol, "made/here", "/b", "rw"],
        });
        assert.equal(r.stdout, "in a\n", r.stderr);
        assert.equal(readFileSync(join(vol, "made/here/g"), "utf8"), "new\n");
    }));
    for (const [name, subPath, setup] of [
        ["..", "../outside", (_vol) => { }],
        ["an absolute symlink", "link", (vol) => symlinkSync("/etc", join(vol, "link"))],
        ["a relative symlink climbing out", "inner/up", (vol) => {
                mkdirSync(join(vol, "inner"));
                symlinkSync("../../outside", join(vol, "inner/up"));
            }],
    ]) {
        test(`--bind-sub refuses a subPath escaping through ${name}`, () => Scratch.with(async (s) => {
            const vol = s.path("vol");
            mkdirSync(vol);
            mkdirSync(s.path("outside"));
            setup(vol);
            const r = await shim(monitorArgs(s, { cmd: ["true"], flags: ["--bind-sub", vol, subPath, "/x", "rw"] }));
            assert.equal(r.stdout, `error subPath "${subPath}" escapes the volume\n`);
            assert.equal(r.code, 1);
            const exit = await waitExitFile(s.path("c", "exit.json"));
            assert.equal(exit.reason, "StartError");
            assert.equal(exit.exitCode, 128);
            assert.equal(exit.message, `subPath "${subPath}" escapes the volume`);
        }));
    }
    test("a destination through an image symlink to /etc stays inside the container", () => Scratch.with(async (s) => {
        symlinkSync("/etc", join(s.image(), "evil"));
        symlinkSync("../../../../../../../etc", join(s.image(), "evil-rel"));
        const src = s.path("payload");
        writeFileSync(src, "payload\n");
        const name = `shimtest-${process.pid}`;
        const r = await runContainer(s, {
            cmd: sh(`cat /etc/${name}-a /etc/${name}-b`),
            flags: ["--bind", src, `/evil/${name}-a`, "ro", "--bind", src, `/evil-rel/${name}-b`, "ro"],
        });
        assert.equal(r.stdout, "payload\npayload\n", r.stderr);
        assert.equal(existsSync(`/etc/${name}-a`), false, "nothing created in the host's /etc");
        assert.equal(existsSync(`/etc/${name}-b`), false);
        assert.ok(existsSync(join(r.paths.upper, "etc", `${name}-a`)), "the mount point was made in the container's upper dir");
    }));
    test("--cwd is created and entered; --env is the whole environment", () => Scratch.with(async (s) => {
        const r = await runContainer(s, { cmd: sh("pwd; env | sort"), flags: ["--cwd", "/work/dir"], env: ["PATH=/bin", "A=1"] });
        assert.equal(r.stdout, "/work/dir\nA=1\nPATH=/bin\nPWD=/work/dir\nSHLVL=1\n");
    }));
    test("--stdin-fifo gives the container a stdin the daemon can write later", () => Scratch.with(async (s) => {
        const fifo = s.path("c", "stdin");
        const c = await startContainer(s, { cmd: sh("read line; echo got:$line"), flags: ["--stdin-fifo", fifo] });
        writeFileSync(fifo, "hello\n");
        const exit = await waitExitFile(c.paths.exit);
        assert.equal(exit.exitCode, 0);
        assert.match(readFileSync(c.paths.log, "utf8"), / stdout F got:hello\n$/);
    }));
});
//# sourceMappingURL=shim.test.js.map