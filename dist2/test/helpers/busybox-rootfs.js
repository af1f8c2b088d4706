/**
 * A throwaway container image for privileged tests: a busybox root filesystem built in a temp dir from the host's
 * static busybox (Debian's busybox-static, at /bin/busybox). Callers remove it (see `removeTree`).
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
/** Where the static busybox comes from; it must not need a dynamic loader inside the container. */
export const HOST_BUSYBOX = "/bin/busybox";
let applets;
/** The applet names `busybox --list` prints (cached: every test builds its own image). */
function busyboxApplets() {
    applets ??= execFileSync(HOST_BUSYBOX, ["--list"], { encoding: "utf8" })
        .split("\n")
        .map((a) => a.trim())
        .filter((a) => a !== "" && a !== "busybox" && !a.includes("/"));
    return applets;
}
const PASSWD = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n";
const GROUP = "root:x:0:\ntty:x:5:\nnogroup:x:65534:\n";
/**
 * Builds the image in `dir` (a fresh temp dir by default) and returns its path:
 * /bin/busybox, one symlink per applet in /bin, /etc/passwd (root, nobody=65534), /etc/group,
 * and empty /proc /sys /dev /tmp /root directories. Use PATH=/bin in the container.
 */
export function buildBusyboxRootfs(dir = mkdtempSync(join(tmpdir(), "busybox-rootfs-"))) {
    for (const sub of ["bin", "etc", "proc", "sys", "dev", "tmp", "root"])
        mkdirSync(join(dir, sub), { recursive: true });
    copyFileSync(HOST_BUSYBOX, join(dir, "bin/busybox"));
    for (const applet of busyboxApplets())
        symlinkSync("busybox", join(dir, "bin", applet));
    writeFileSync(join(dir, "etc/passwd"), PASSWD);
    writeFileSync(join(dir, "etc/group"), GROUP);
    return dir;
}
//# sourceMappingURL=busybox-rootfs.js.map