import { HostError } from "./host-error.js";
export class ScriptedRunner {
    answer;
    calls = [];
    /** Files written, by path: the last content. */
    files = new Map();
    /** Directories made and not removed. */
    dirs = new Set();
    steps = [];
    recorder;
    /** `answer` gives each command's result (undefined: success, empty output). */
    constructor(answer = () => undefined) {
        this.answer = answer;
        this.recorder = { record: (owner, step) => void this.steps.push({ owner, step }) };
    }
    async run(argv, opts = {}) {
        this.calls.push({ argv, input: opts.input?.toString(), owner: opts.owner });
        const r = { stdout: "", stderr: "", code: 0, ...this.answer(argv) };
        if (r.code !== 0 && !opts.allowFail) {
            throw new HostError(`run ${argv[0]}`, argv.slice(1).join(" "), opts.owner ?? "", r.stderr.trim() || `exit status ${r.code}`);
        }
        return r;
    }
    spawn(argv, _opts) {
        throw new Error(`ScriptedRunner cannot start long-running processes (${argv.join(" ")})`);
    }
    async writeFile(path, data, owner) {
        this.files.set(path, data);
        this.note(owner, { kind: "write", argv: [], path, input: data, at: "", ms: 0 });
    }
    async mkdir(path, owner) {
        this.dirs.add(path);
        this.note(owner, { kind: "mkdir", argv: [], path, at: "", ms: 0 });
    }
    async rmdir(path, owner) {
        if (!this.dirs.delete(path))
            return;
        this.note(owner, { kind: "rmdir", argv: [], path, at: "", ms: 0 });
    }
    comment(owner, text) {
        this.note(owner, { kind: "comment", argv: [], input: text, at: "", ms: 0 });
    }
    note(owner, step) {
        if (owner)
            this.recorder?.record(owner, step);
    }
    /** The commands run so far, each joined with spaces. */
    commands() {
        return this.calls.map((c) => c.argv.join(" "));
    }
    clear() {
        this.calls = [];
    }
}
//# sourceMappingURL=scripted-runner.js.map