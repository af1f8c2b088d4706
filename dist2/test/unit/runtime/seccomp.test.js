import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FieldError } from "../../../src/api/errors.js";
import { parseDaemonConfig } from "../../../src/cmd/daemon-config.js";
import { DEFAULT_CAPS } from "../../../src/runtime/container-launch.js";
import { compileProfile } from "../../../src/runtime/seccomp/compile.js";
import { DEFAULT_PROFILE } from "../../../src/runtime/seccomp/default-profile.js";
import { parseProfile } from "../../../src/runtime/seccomp/profile.js";
import { chooseSeccomp, SeccompProfiles } from "../../../src/runtime/seccomp/seccomp-profiles.js";
const target = { arch: "x64", caps: DEFAULT_CAPS, kernel: [6, 1], strictNames: false };
const lines = (text) => text.trimEnd().split("\n");
test("RuntimeDefault for default capabilities: moby's allowlist, the clone namespace rule, clone3 ENOSYS, no mount", () => {
    const l = lines(compileProfile(DEFAULT_PROFILE, target));
    assert.deepEqual(l.slice(0, 4), ["nodelet-seccomp 1", "default errno:1", "arch x86", "arch x32"]);
    assert.ok(l.includes("allow ?read") && l.includes("allow ?execve"));
    assert.ok(l.includes("allow ?clone 0:me:2114060288:0"), "clone without namespace flags");
    assert.ok(l.includes("errno:38 ?clone3"));
    assert.ok(l.includes("allow ?socket 0:lt:38") && l.includes("allow ?socket 0:gt:40") && !l.some((x) => x.includes("socket 0:eq:40")));
    assert.ok(l.includes("allow ?personality 0:eq:8"));
    for (const name of ["mount", "unshare", "setns", "keyctl", "io_uring_setup", "bpf", "reboot", "sethostname"]) {
        assert.ok(!l.some((x) => x.split(" ")[1] === `?${name}`), `${name} must not be allowed`);
    }
    // ptrace is allowed from kernel 4.8 on (before, seccomp could be bypassed with it), with or without CAP_SYS_PTRACE.
    assert.ok(lines(compileProfile(DEFAULT_PROFILE, { ...target, kernel: [6, 18] })).includes("allow ?ptrace"));
    assert.ok(!lines(compileProfile(DEFAULT_PROFILE, { ...target, kernel: [4, 4] })).includes("allow ?ptrace"));
});
test("RuntimeDefault follows the capabilities kept: SYS_ADMIN allows mount/unshare and any clone; ALL allows everything capped", () => {
    const admin = lines(compileProfile(DEFAULT_PROFILE, { ...target, caps: [...DEFAULT_CAPS, "CAP_SYS_ADMIN"] }));
    for (const n of ["mount", "unshare", "setns", "clone", "clone3"])
        assert.ok(admin.includes(`allow ?${n}`), n);
    assert.ok(!admin.includes("errno:38 ?clone3") && !admin.some((x) => x.startsWith("allow ?clone 0:me")));
    const all = lines(compileProfile(DEFAULT_PROFILE, { ...target, caps: ["ALL"] }));
    for (const n of ["reboot", "init_module", "bpf", "perf_event_open", "syslog"])
        assert.ok(all.includes(`allow ?${n}`), n);
    assert.ok(!all.includes("allow ?keyctl"), "keyctl is not in the profile for anyone");
});
test("architectures: archMap's sub-architectures of the native one; arch-only rules kept for it alone", () => {
    const arm = lines(compileProfile(DEFAULT_PROFILE, { ...target, arch: "arm64" }));
    assert.deepEqual(arm.slice(2, 3), ["arch arm"]);
    assert.ok(arm.includes("allow ?arm_fadvise64_64") && !arm.includes("allow ?arch_prctl"));
    assert.ok(lines(compileProfile(DEFAULT_PROFILE, target)).includes("allow ?arch_prctl"));
    assert.throws(() => compileProfile(DEFAULT_PROFILE, { ...target, arch: "sparc" }), /not supported on architecture sparc/);
});
test("OCI profiles: strict names, errnoRet, every action, args ANDed, the same index twice becomes rules ORed", () => {
    const p = parseProfile(JSON.stringify({
        defaultAction: "SCMP_ACT_ALLOW",
        architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
        flags: ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_TSYNC"],
        syscalls: [
            { names: ["keyctl"], action: "SCMP_ACT_ERRNO", errnoRet: 38 },
            { name: "ptrace", action: "SCMP_ACT_KILL_PROCESS" },
            { names: ["mmap"], action: "SCMP_ACT_ERRNO", args: [{ index: 2, value: 4, valueTwo: 4, op: "SCMP_CMP_MASKED_EQ" }, { index: 0, value: 0, op: "SCMP_CMP_NE" }] },
            { names: ["socket"], action: "SCMP_ACT_LOG", args: [{ index: 0, value: 1, op: "SCMP_CMP_EQ" }, { index: 0, value: 2, op: "SCMP_CMP_EQ" }] },
        ],
    }));
    assert.deepEqual(lines(compileProfile(p, { ...target, strictNames: true })), [
        "nodelet-seccomp 1", "default allow", "arch x86", "flag log",
        "errno:38 keyctl", "kill_process ptrace", "errno:1 mmap 2:me:4:4 0:ne:0", "log socket 0:eq:1", "log socket 0:eq:2",
    ]);
});
test("parseProfile refuses what is not a profile, with the reason and where", () => {
    const bad = [
        ["{", /not valid JSON/],
        [[], /not a JSON object/],
        [{ defaultAction: "SCMP_ACT_MAYBE" }, /defaultAction: unknown action "SCMP_ACT_MAYBE"/],
        [{ defaultAction: "SCMP_ACT_NOTIFY" }, /needs a listener/],
        [{ defaultAction: "SCMP_ACT_ALLOW", syscalls: [{ names: [], action: "SCMP_ACT_ERRNO" }] }, /syscalls\[0\]\.names: no syscall named/],
        [{ defaultAction: "SCMP_ACT_ALLOW", syscalls: [{ names: ["rm -rf"], action: "SCMP_ACT_ERRNO" }] }, /invalid syscall name/],
        [{ defaultAction: "SCMP_ACT_ALLOW", syscalls: [{ names: ["read"], action: "SCMP_ACT_ERRNO", args: [{ index: 7, value: 1, op: "SCMP_CMP_EQ" }] }] }, /args\[0\]\.index: want 0\.\.5/],
        [{ defaultAction: "SCMP_ACT_ALLOW", syscalls: [{ names: ["read"], action: "SCMP_ACT_ERRNO", args: [{ index: 0, value: 1, op: "SCMP_CMP_LIKE" }] }] }, /unknown operator/],
        [{ defaultAction: "SCMP_ACT_ALLOW", flags: ["SECCOMP_FILTER_FLAG_NEW_LISTENER"] }, /flags: unknown flag/],
        [{ defaultAction: "SCMP_ACT_ALLOW", syscalls: Array(5000).fill({ names: ["read"], action: "SCMP_ACT_ERRNO" }) }, /more than 4096 rules/],
    ];
    for (const [json, want] of bad)
        assert.throws(() => parseProfile(typeof json === "string" ? json : JSON.stringify(json)), want);
});
const pod = (sp, c = {}) => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "default", uid: "u" },
    spec: { securityContext: sp ? { seccompProfile: sp } : undefined, containers: [{ name: "c", image: "busybox", ...c }] },
});
test("which profile: container over pod, --seccomp-default for neither, privileged always unconfined", () => {
    const f = "spec.containers[0]";
    assert.deepEqual(chooseSeccomp(pod(), pod().spec.containers[0], f, true), { type: "RuntimeDefault" });
    assert.deepEqual(chooseSeccomp(pod(), pod().spec.containers[0], f, false), { type: "Unconfined" });
    const local = pod({ type: "Localhost", localhostProfile: "a.json" });
    assert.deepEqual(chooseSeccomp(local, local.spec.containers[0], f, true), { type: "Localhost", localhostProfile: "a.json", field: "spec.securityContext.seccompProfile.localhostProfile" });
    const own = pod({ type: "Localhost", localhostProfile: "a.json" }, { securityContext: { seccompProfile: { type: "Unconfined" } } });
    assert.deepEqual(chooseSeccomp(own, own.spec.containers[0], f, true), { type: "Unconfined" });
    const ownLocal = pod(undefined, { securityContext: { seccompProfile: { type: "Localhost", localhostProfile: "b.json" } } });
    assert.equal(chooseSeccomp(ownLocal, ownLocal.spec.containers[0], f, true).field, "spec.containers[0].securityContext.seccompProfile.localhostProfile");
    const priv = pod({ type: "RuntimeDefault" }, { securityContext: { privileged: true } });
    assert.deepEqual(chooseSeccomp(priv, priv.spec.containers[0], f, true), { type: "Unconfined" });
});
test("Localhost profiles: read from the root, built once per distinct profile, bad ones are field errors", async () => {
    const root = mkdtempSync(join(tmpdir(), "seccomp-unit-"));
    try {
        writeFileSync(join(root, "ok.json"), JSON.stringify({ defaultAction: "SCMP_ACT_ALLOW", syscalls: [{ names: ["keyctl"], action: "SCMP_ACT_ERRNO" }] }));
        writeFileSync(join(root, "bad.json"), "[1,2");
        writeFileSync(join(root, "unknown.json"), JSON.stringify({ defaultAction: "SCMP_ACT_ALLOW", syscalls: [{ names: ["nope"], action: "SCMP_ACT_ERRNO" }] }));
        const built = [];
        const profiles = new SeccompProfiles({ profileRoot: root, defaultToRuntime: true }, async (compact) => {
            if (compact.includes("nope"))
                throw new Error('seccomp profile: unknown syscall "nope"');
            built.push(compact);
            return Buffer.from(compact);
        });
        const c = (lp) => pod(undefined, { securityContext: { seccompProfile: { type: "Localhost", localhostProfile: lp } } });
        const f = "spec.containers[0]";
        const prog = await profiles.forContainer(c("ok.json"), c("ok.json").spec.containers[0], f, DEFAULT_CAPS);
        assert.equal(prog.toString(), "nodelet-seccomp 1\ndefault allow\nerrno:1 keyctl\n");
        await profiles.forContainer(c("ok.json"), c("ok.json").spec.containers[0], f, DEFAULT_CAPS);
        assert.equal(built.length, 1, "built once");
        const field = "spec.containers[0].securityContext.seccompProfile.localhostProfile";
        const refused = async (lp, want) => assert.rejects(profiles.forContainer(c(lp), c(lp).spec.containers[0], f, DEFAULT_CAPS), (e) => e instanceof FieldError && e.message.startsWith(field) && want.test(e.message));
        await refused("missing.json", /cannot load seccomp profile ".*missing\.json": no such file or directory$/);
        await refused("bad.json", /not valid JSON/);
        await refused("unknown.json", /invalid seccomp profile ".*unknown\.json": seccomp profile: unknown syscall "nope"/);
        await refused("../etc/passwd", /must be a relative path inside the seccomp profile root/);
        await refused(".", /not a regular file/);
        assert.equal(await profiles.forContainer(pod({ type: "Unconfined" }), pod().spec.containers[0], f, DEFAULT_CAPS), undefined);
    }
    finally {
        rmSync(root, { recursive: true, force: true });
    }
});
test("daemon settings: --seccomp-default on unless =false; profiles in ROOT/seccomp unless --seccomp-profile-root", () => {
    const d = parseDaemonConfig(["--root", "/srv/n"]);
    assert.equal(d.seccompDefault, true);
    assert.equal(d.seccompProfileRoot, "/srv/n/seccomp");
    assert.equal(parseDaemonConfig(["--seccomp-default=false"]).seccompDefault, false);
    assert.equal(parseDaemonConfig(["--seccomp-default"]).seccompDefault, true);
    assert.equal(parseDaemonConfig(["--seccomp-profile-root", "/etc/p"]).seccompProfileRoot, "/etc/p");
});
//# sourceMappingURL=seccomp.test.js.map