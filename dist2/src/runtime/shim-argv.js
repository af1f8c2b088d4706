/**
 * What the shim is asked to do, as data, and its rendering to argv (effects are data: DESIGN.md rule 2). The
 * shim's modes and flags are documented in shim/README.md; these renderers are the only place the daemon spells
 * them, and `nodelet explain` prints the same argv.
 *
 * A container's command, environment and mounts are not put on argv, which every host user reads in `ps`: monitor
 * and exec get only identification there (`--id`, `--target`) and `--spec-fd N`, and the rest, the same flags as
 * words, on a pipe (ShimCommand.spec, sent NUL-terminated by encodeSpec).
 */
/** The fd the monitor reads its spec from (its stdin: the container's stdin is /dev/null or the FIFO). */
export const MONITOR_SPEC_FD = 0;
/** The fd exec reads its spec from (0-2 are the command's stdio, 3 carries a TTY's window sizes). */
export const EXEC_SPEC_FD = 4;
/** The spec as the shim reads it: each word NUL-terminated. A word holding a NUL could not reach execve intact. */
export function encodeSpec(words) {
    for (const w of words) {
        if (w.includes("\0"))
            throw new Error(`the container spec holds a NUL byte in ${JSON.stringify(w.split("=")[0].slice(0, 64))}`);
    }
    return Buffer.from(words.map((w) => `${w}\0`).join(""));
}
/**
 * The spec as the pod's explain file records it: environment values are left out (they can be secrets, and that
 * file is on disk), names kept.
 */
export function redactedSpec(words) {
    return words.map((w, i) => (words[i - 1] === "--env" ? `${w.split("=")[0]}=…` : w));
}
export function monitorCommand(shim, l) {
    const a = ["--log", l.logPath];
    a.push("--log-max-size", String(l.logMaxSize), "--log-max-files", String(l.logMaxFiles));
    a.push("--exit-file", l.exitFile, "--oom-file", l.oomFile);
    for (const cg of l.cgroups)
        a.push("--cgroup", cg);
    for (const ns of l.namespaces)
        a.push("--ns", `${ns.type}:${ns.path}`);
    a.push("--rootfs", l.rootfs);
    if (l.lowerDirs.length)
        a.push("--lower", l.lowerDirs.join(":"), "--upper", l.upperDir, "--work", l.workDir);
    if (l.readonlyRootfs)
        a.push("--readonly-rootfs");
    if (l.shmDir)
        a.push("--shm", l.shmDir);
    for (const m of l.mounts)
        a.push(...mountArgs(m));
    for (const p of l.masked)
        a.push("--masked", p);
    for (const p of l.readonly)
        a.push("--readonly", p);
    if (l.stdinFifo)
        a.push("--stdin-fifo", l.stdinFifo);
    for (const v of l.cgroupView)
        a.push("--cgroupfs", v);
    if (l.deviceFilter)
        a.push("--device-cgroup", l.deviceFilter.cgroupDir, ...l.deviceFilter.rules.flatMap((r) => ["--device", r]));
    a.push(...processArgs(l));
    return { argv: [shim, "monitor", "--id", l.id, "--spec-fd", String(MONITOR_SPEC_FD)], spec: [...a, "--", ...l.argv] };
}
function mountArgs(m) {
    const opts = m.options.join(",") || "rw";
    switch (m.kind) {
        case "bind":
            return ["--bind", m.source, m.target, opts];
        case "bind-sub":
            return ["--bind-sub", m.volumeRoot, m.subPath, m.target, opts];
        case "tmpfs":
            return ["--tmpfs", m.target, opts];
    }
}
function processArgs(p) {
    const a = ["--cwd", p.cwd];
    for (const e of p.env)
        a.push("--env", e);
    a.push("--uid", String(p.uid), "--gid", String(p.gid));
    if (p.groups.length)
        a.push("--groups", p.groups.join(","));
    if (p.privileged)
        a.push("--privileged");
    else
        for (const c of p.caps)
            a.push("--cap", c);
    if (p.noNewPrivs)
        a.push("--no-new-privs");
    if (p.seccompFile)
        a.push("--seccomp", p.seccompFile);
    return a;
}
export function execCommand(shim, e) {
    const a = [];
    for (const cg of e.cgroups)
        a.push("--cgroup", cg);
    if (e.tty)
        a.push("--tty");
    if (e.timeoutSeconds !== undefined)
        a.push("--timeout", String(e.timeoutSeconds));
    a.push(...processArgs(e));
    return { argv: [shim, "exec", "--target", String(e.targetPid), "--spec-fd", String(EXEC_SPEC_FD)], spec: [...a, "--", ...e.argv] };
}
export function sandboxArgv(shim, s) {
    const a = [shim, "sandbox", "--hostname", s.hostname];
    for (const cg of s.cgroups)
        a.push("--cgroup", cg);
    if (s.shm)
        a.push("--shm", s.shm.dir, "--shm-size", String(s.shm.size));
    if (s.network)
        a.push(...s.network);
    if (s.sharePid)
        a.push("--share-pid");
    if (s.hostNetwork)
        a.push("--host-network");
    if (s.hostIPC)
        a.push("--host-ipc");
    if (s.userns)
        a.push("--userns-map", `${s.userns.hostId}:${s.userns.size}`);
    return a;
}
//# sourceMappingURL=shim-argv.js.map