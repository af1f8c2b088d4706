/** Node's arch → Docker's arch name (Go's GOARCH, used in includes.arches) and libseccomp's. */
const ARCHES = {
    x64: { docker: "amd64", scmp: "SCMP_ARCH_X86_64" },
    arm64: { docker: "arm64", scmp: "SCMP_ARCH_AARCH64" },
    arm: { docker: "arm", scmp: "SCMP_ARCH_ARM" },
    ia32: { docker: "386", scmp: "SCMP_ARCH_X86" },
    s390x: { docker: "s390x", scmp: "SCMP_ARCH_S390X" },
    ppc64: { docker: "ppc64le", scmp: "SCMP_ARCH_PPC64LE" },
    riscv64: { docker: "riscv64", scmp: "SCMP_ARCH_RISCV64" },
};
const ALL_CAPS = "ALL";
export function compileProfile(p, t) {
    const arch = ARCHES[t.arch];
    if (!arch)
        throw new Error(`seccomp is not supported on architecture ${t.arch}`);
    const lines = ["nodelet-seccomp 1", `default ${action(p.defaultAction, p.defaultErrnoRet)}`];
    for (const a of extraArches(p, arch.scmp))
        lines.push(`arch ${scmpArchName(a)}`);
    for (const f of p.flags ?? []) {
        if (f === "SECCOMP_FILTER_FLAG_LOG")
            lines.push("flag log");
        else if (f === "SECCOMP_FILTER_FLAG_SPEC_ALLOW")
            lines.push("flag spec_allow");
        // SECCOMP_FILTER_FLAG_TSYNC: the container's init is single-threaded when the filter is loaded.
    }
    for (const r of p.syscalls ?? []) {
        if (!applies(r, arch.docker, t))
            continue;
        const act = action(r.action, r.errnoRet);
        const names = [...(r.names ?? []), ...(r.name !== undefined ? [r.name] : [])].map((n) => (t.strictNames ? n : `?${n}`));
        for (const conds of conditionSets(r.args ?? [])) {
            for (const n of names)
                lines.push([act, n, ...conds].join(" "));
        }
    }
    return `${lines.join("\n")}\n`;
}
/** Docker's includes/excludes: a rule counts for this arch, kernel and capability set (moby's profiles/seccomp). */
function applies(r, dockerArch, t) {
    const has = (cap) => t.caps.includes(ALL_CAPS) || t.caps.includes(cap);
    const ex = r.excludes ?? {};
    const inc = r.includes ?? {};
    if (ex.arches?.includes(dockerArch))
        return false;
    if (ex.caps?.some(has))
        return false;
    if (ex.minKernel && kernelAtLeast(t.kernel, ex.minKernel))
        return false;
    if (inc.arches?.length && !inc.arches.includes(dockerArch))
        return false;
    if (inc.caps?.length && !inc.caps.every(has))
        return false;
    if (inc.minKernel && !kernelAtLeast(t.kernel, inc.minKernel))
        return false;
    return true;
}
function kernelAtLeast(k, want) {
    const [maj, min] = want.split(".").map(Number);
    return k[0] > maj || (k[0] === maj && k[1] >= min);
}
/**
 * The comparison lists of one rule's args. All of a rule's args must hold (AND), except that two conditions on the
 * same argument index cannot be ANDed by libseccomp: then each becomes a rule of its own (OR), as runc does.
 */
function conditionSets(args) {
    const cond = (a) => {
        const op = a.op.replace("SCMP_CMP_", "").toLowerCase();
        return op === "masked_eq" ? `${a.index}:me:${a.value}:${a.valueTwo ?? 0}` : `${a.index}:${op}:${a.value}`;
    };
    if (args.length === 0)
        return [[]];
    const indexes = new Set(args.map((a) => a.index));
    if (indexes.size < args.length)
        return args.map((a) => [cond(a)]);
    return [args.map(cond)];
}
function action(a, errnoRet) {
    switch (a) {
        case "SCMP_ACT_ALLOW": return "allow";
        case "SCMP_ACT_ERRNO": return `errno:${errnoRet ?? 1}`;
        case "SCMP_ACT_KILL":
        case "SCMP_ACT_KILL_THREAD": return "kill_thread";
        case "SCMP_ACT_KILL_PROCESS": return "kill_process";
        case "SCMP_ACT_TRAP": return "trap";
        case "SCMP_ACT_LOG": return "log";
        case "SCMP_ACT_TRACE": return `trace:${errnoRet ?? 1}`;
        default: throw new Error(`unknown seccomp action ${JSON.stringify(a)}`);
    }
}
/** The architectures besides the native one: archMap's sub-architectures of ours, or the OCI list. */
function extraArches(p, native) {
    const fromMap = p.archMap?.find((m) => m.architecture === native);
    const all = fromMap ? (fromMap.subArchitectures ?? []) : (p.architectures ?? []);
    return [...new Set(all)].filter((a) => a !== native);
}
/** SCMP_ARCH_X86_64 → x86_64: libseccomp's seccomp_arch_resolve_name spelling. */
function scmpArchName(a) {
    if (!/^SCMP_ARCH_[A-Z0-9_]+$/.test(a))
        throw new Error(`unknown architecture ${JSON.stringify(a)}`);
    return a.slice("SCMP_ARCH_".length).toLowerCase();
}
//# sourceMappingURL=compile.js.map