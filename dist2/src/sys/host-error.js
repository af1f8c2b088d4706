/**
 * The error every host operation fails with (DESIGN.md rule 7): the operation, the object, whom it was for, the cause.
 */
/**
 * A host operation failed: `cannot write cpu.cfs_quota_us for pod default/web-1 at /sys/fs/...: EINVAL`.
 * `op` is the verb ("write", "mount", "exec ip"), `target` the object (a path, a device), `owner` who it was for.
 */
export class HostError extends Error {
    op;
    target;
    owner;
    cause;
    constructor(op, target, owner, cause) {
        super(`cannot ${op} ${target}${owner ? ` for ${owner}` : ""}${cause ? `: ${causeText(cause)}` : ""}`);
        this.op = op;
        this.target = target;
        this.owner = owner;
        this.cause = cause;
        this.name = "HostError";
    }
}
function causeText(cause) {
    if (cause instanceof Error) {
        const code = cause.code;
        return code && !cause.message.startsWith(code) ? `${code}: ${cause.message}` : cause.message;
    }
    return String(cause);
}
//# sourceMappingURL=host-error.js.map