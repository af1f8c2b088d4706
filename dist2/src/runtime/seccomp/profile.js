/**
 * A seccomp profile in the JSON shapes runtimes read: the OCI runtime spec's `linux.seccomp` (architectures, flags,
 * syscalls with args) and Docker's superset (archMap, per-rule includes/excludes by capability, architecture or
 * kernel). parseProfile checks untrusted text (a Localhost profile is whatever a node admin dropped in the directory)
 * and answers a clear reason for the first thing wrong; nothing here touches the host.
 */
/** The actions a profile may name (libseccomp's); SCMP_ACT_NOTIFY needs a listener, which nodelet does not run. */
export const ACTIONS = [
    "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_KILL_PROCESS",
    "SCMP_ACT_TRAP", "SCMP_ACT_LOG", "SCMP_ACT_TRACE",
];
export const OPERATORS = [
    "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ",
];
export const FLAGS = ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"];
/** Rules, names and args a profile may hold: far above real ones, and what keeps a hostile file bounded. */
const MAX_RULES = 4096;
const MAX_NAMES = 8192;
/** Parses and checks a profile's JSON text; throws an Error whose message is the reason (the caller adds the field). */
export function parseProfile(text) {
    let raw;
    try {
        raw = JSON.parse(text);
    }
    catch (err) {
        throw new Error(`not valid JSON: ${err.message}`);
    }
    if (!isObject(raw))
        throw new Error("not a JSON object");
    const p = raw;
    checkAction(p.defaultAction, "defaultAction");
    optionalInt(p.defaultErrnoRet, "defaultErrnoRet");
    stringList(p.architectures, "architectures");
    stringList(p.flags, "flags");
    for (const f of p.flags ?? [])
        if (!FLAGS.includes(f))
            throw new Error(`flags: unknown flag "${f}"`);
    if (p.listenerPath)
        throw new Error("listenerPath: seccomp notify listeners are not supported");
    if (p.archMap != null) {
        if (!Array.isArray(p.archMap))
            throw new Error("archMap: not a list");
        p.archMap.forEach((m, i) => {
            if (!isObject(m) || typeof m.architecture !== "string")
                throw new Error(`archMap[${i}].architecture: not a string`);
            stringList(m.subArchitectures, `archMap[${i}].subArchitectures`);
        });
    }
    if (p.syscalls != null && !Array.isArray(p.syscalls))
        throw new Error("syscalls: not a list");
    const rules = p.syscalls ?? [];
    if (rules.length > MAX_RULES)
        throw new Error(`syscalls: more than ${MAX_RULES} rules`);
    let names = 0;
    rules.forEach((r, i) => (names += checkRule(r, `syscalls[${i}]`)));
    if (names > MAX_NAMES)
        throw new Error(`syscalls: more than ${MAX_NAMES} syscall names`);
    return p;
}
function checkRule(r, at) {
    if (!isObject(r))
        throw new Error(`${at}: not an object`);
    stringList(r.names, `${at}.names`);
    const names = [...(r.names ?? []), ...(r.name !== undefined ? [r.name] : [])];
    if (r.name !== undefined && typeof r.name !== "string")
        throw new Error(`${at}.name: not a string`);
    if (names.length === 0)
        throw new Error(`${at}.names: no syscall named`);
    for (const n of names)
        if (!/^[a-z0-9_]{1,64}$/.test(n))
            throw new Error(`${at}.names: invalid syscall name ${JSON.stringify(n)}`);
    checkAction(r.action, `${at}.action`);
    optionalInt(r.errnoRet, `${at}.errnoRet`);
    if (r.args != null) {
        if (!Array.isArray(r.args) || r.args.length > 6)
            throw new Error(`${at}.args: want a list of at most 6 conditions`);
        r.args.forEach((a, j) => checkArg(a, `${at}.args[${j}]`));
    }
    for (const key of ["includes", "excludes"]) {
        const f = r[key];
        if (f == null)
            continue;
        if (!isObject(f))
            throw new Error(`${at}.${key}: not an object`);
        stringList(f.caps, `${at}.${key}.caps`);
        stringList(f.arches, `${at}.${key}.arches`);
        if (f.minKernel !== undefined && (typeof f.minKernel !== "string" || !/^\d+\.\d+$/.test(f.minKernel))) {
            throw new Error(`${at}.${key}.minKernel: want MAJOR.MINOR`);
        }
    }
    return names.length;
}
function checkArg(a, at) {
    if (!isObject(a))
        throw new Error(`${at}: not an object`);
    if (!Number.isInteger(a.index) || a.index < 0 || a.index > 5)
        throw new Error(`${at}.index: want 0..5`);
    for (const k of ["value", "valueTwo"]) {
        const v = a[k];
        if (v !== undefined && (!Number.isSafeInteger(v) || v < 0))
            throw new Error(`${at}.${k}: want a non-negative integer`);
    }
    if (a.value === undefined)
        throw new Error(`${at}.value: required`);
    if (!OPERATORS.includes(a.op))
        throw new Error(`${at}.op: unknown operator ${JSON.stringify(a.op)}`);
}
function checkAction(a, at) {
    if (a === "SCMP_ACT_NOTIFY")
        throw new Error(`${at}: SCMP_ACT_NOTIFY needs a listener, which nodelet does not run`);
    if (typeof a !== "string" || !ACTIONS.includes(a))
        throw new Error(`${at}: unknown action ${JSON.stringify(a)}`);
}
function optionalInt(v, at) {
    if (v !== undefined && (!Number.isInteger(v) || v < 0 || v > 4095))
        throw new Error(`${at}: want an errno 0..4095`);
}
function stringList(v, at) {
    if (v == null)
        return;
    if (!Array.isArray(v) || v.some((x) => typeof x !== "string"))
        throw new Error(`${at}: want a list of strings`);
}
function isObject(v) {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}
//# sourceMappingURL=profile.js.map