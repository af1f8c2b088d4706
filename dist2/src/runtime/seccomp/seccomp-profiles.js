/**
 * Which seccomp filter a container gets, as Kubernetes decides it, and its compact form for the shim:
 * - the container's securityContext.seccompProfile, else the pod's, else RuntimeDefault when `--seccomp-default`
 *   is on (nodelet's default, as Docker and Podman do; the kubelet's flag is off by default) or Unconfined;
 * - privileged containers run unconfined whatever they ask (containerd's CRI and Docker do the same);
 * - RuntimeDefault is the built-in profile (default-profile.ts); Localhost reads `<profile root>/<localhostProfile>`
 *   (`--seccomp-profile-root`, default ROOT/seccomp: the kubelet's <root-dir>/seccomp).
 * A Localhost profile that is missing, unreadable, not a profile, or names a syscall libseccomp does not know is a
 * FieldError naming `...seccompProfile.localhostProfile` and the reason, thrown before anything of the container
 * exists. The BPF program of each distinct compact profile is built once (libseccomp takes milliseconds) and kept.
 */
import { createHash } from "node:crypto";
import { promises as fsp } from "node:fs";
import { arch, release } from "node:os";
import { isAbsolute, join, normalize } from "node:path";
import { FieldError } from "../../api/errors.js";
import { compileProfile } from "./compile.js";
import { DEFAULT_PROFILE } from "./default-profile.js";
import { parseProfile } from "./profile.js";
/** The largest Localhost profile read (moby's default is 13 KB). */
const MAX_PROFILE_BYTES = 1 << 20;
/** The profile that applies to container c (fieldPath: "spec.containers[0]"). Pure. */
export function chooseSeccomp(pod, c, fieldPath, defaultToRuntime) {
    if (c.securityContext?.privileged === true)
        return { type: "Unconfined" };
    const own = c.securityContext?.seccompProfile;
    const sp = own ?? pod.spec.securityContext?.seccompProfile;
    const field = own ? `${fieldPath}.securityContext.seccompProfile` : "spec.securityContext.seccompProfile";
    switch (sp?.type) {
        case undefined:
            return defaultToRuntime ? { type: "RuntimeDefault" } : { type: "Unconfined" };
        case "Unconfined":
            return { type: "Unconfined" };
        case "RuntimeDefault":
            return { type: "RuntimeDefault" };
        case "Localhost":
            return { type: "Localhost", localhostProfile: sp?.localhostProfile ?? "", field: `${field}.localhostProfile` };
        default:
            throw new FieldError(`${field}.type`, `unsupported value "${sp?.type}"`);
    }
}
/** Distinct programs kept (one per profile and capability set in use): bounded, oldest dropped first. */
const MAX_CACHED = 64;
export class SeccompProfiles {
    settings;
    build;
    /** BPF programs by the hash of their compact profile. */
    programs = new Map();
    kernel = kernelVersion();
    /**
     * @param build turns a compact profile into its BPF program with libseccomp (`nodelet-shim seccomp-compile`); it
     *   rejects with the reason (an unknown syscall name, an architecture libseccomp lacks).
     */
    constructor(settings, build) {
        this.settings = settings;
        this.build = build;
    }
    /** The BPF program for container c with capabilities caps, or undefined to run it unconfined. */
    async forContainer(pod, c, fieldPath, caps) {
        const choice = chooseSeccomp(pod, c, fieldPath, this.settings.defaultToRuntime);
        if (choice.type === "Unconfined")
            return undefined;
        const target = { arch: arch(), caps, kernel: this.kernel };
        if (choice.type === "RuntimeDefault")
            return this.program(compileProfile(DEFAULT_PROFILE, { ...target, strictNames: false }));
        const path = this.localPath(choice.localhostProfile, choice.field);
        let compact;
        try {
            compact = compileProfile(parseProfile(await readBounded(path)), { ...target, strictNames: true });
        }
        catch (err) {
            throw new FieldError(choice.field, `cannot load seccomp profile "${path}": ${reason(err)}`);
        }
        try {
            return await this.program(compact);
        }
        catch (err) {
            throw new FieldError(choice.field, `invalid seccomp profile "${path}": ${reason(err)}`);
        }
    }
    /** Builds RuntimeDefault's program for a capability set ahead of the first container that needs it. */
    async warm(caps) {
        await this.program(compileProfile(DEFAULT_PROFILE, { arch: arch(), caps, kernel: this.kernel, strictNames: false }));
    }
    async program(compact) {
        const key = createHash("sha256").update(compact).digest("hex");
        let prog = this.programs.get(key);
        if (!prog) {
            prog = await this.build(compact);
            if (this.programs.size >= MAX_CACHED)
                this.programs.delete(this.programs.keys().next().value);
            this.programs.set(key, prog);
        }
        return prog;
    }
    /** ROOT/NAME, refusing a name that is absolute or climbs out (the API validates this; the file system must too). */
    localPath(name, field) {
        if (!name || isAbsolute(name) || normalize(name).split("/").includes("..")) {
            throw new FieldError(field, `"${name}" must be a relative path inside the seccomp profile root`);
        }
        return join(this.settings.profileRoot, name);
    }
}
async function readBounded(path) {
    const fh = await fsp.open(path, "r");
    try {
        const st = await fh.stat();
        if (!st.isFile())
            throw new Error("not a regular file");
        if (st.size > MAX_PROFILE_BYTES)
            throw new Error(`larger than ${MAX_PROFILE_BYTES} bytes`);
        const buf = Buffer.alloc(st.size);
        const { bytesRead } = await fh.read(buf, 0, st.size, 0);
        return buf.subarray(0, bytesRead).toString("utf8");
    }
    finally {
        await fh.close();
    }
}
/** "no such file or directory" rather than Node's "ENOENT: no such file or directory, open '/x'". */
function reason(err) {
    const e = err;
    if (e.code && e.syscall)
        return e.message.replace(/^[A-Z]+: /, "").replace(/, \w+ '.*'$/, "");
    return e.message ?? String(err);
}
function kernelVersion() {
    const [maj, min] = release().split(".").map((x) => parseInt(x, 10));
    return [maj || 0, min || 0];
}
//# sourceMappingURL=seccomp-profiles.js.map