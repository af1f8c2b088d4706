import { encodeSpec, redactedSpec } from "./shim-argv.js";
export class ShimError extends Error {
    constructor(message) {
        super(message);
        this.name = "ShimError";
    }
}
/** Runs the shim (argv, and its spec on stdin when it has one) and returns the numbers after "ok". */
export async function runShim(runner, cmd, owner) {
    const { argv, spec } = Array.isArray(cmd) ? { argv: cmd, spec: undefined } : cmd;
    let input;
    try {
        input = spec && encodeSpec(spec);
    }
    catch (err) {
        throw new ShimError(err.message);
    }
    const recordInput = spec && `${redactedSpec(spec).join("\0")}\0`;
    const r = await runner.run(argv, { owner, allowFail: true, input, recordInput });
    const line = r.stdout.split("\n")[0] ?? "";
    if (line.startsWith("ok"))
        return line.split(" ").slice(1).filter(Boolean).map(Number);
    const why = line.replace(/^error\s*/, "") || r.stderr.trim() || `${argv[1]} exited with status ${r.code} before answering`;
    throw new ShimError(why);
}
//# sourceMappingURL=shim-client.js.map