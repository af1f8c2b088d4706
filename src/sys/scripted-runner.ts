/**
 * A Runner for tests that need no root: commands are answered from a script and recorded, file operations are
 * kept in memory. The layers above (network, proxy, cgroups, node setup) run against it exactly as against the
 * host, so a test can check the commands they would run and make any of them fail.
 */
import type { ChildProcess, SpawnOptions } from "node:child_process";
import { HostError } from "./host-error.js";
import type { Recorder, RunOptions, RunResult, Runner, Step } from "./runner.js";

/** The answer to one command: its output and exit code (0 when left out). */
export type ScriptedAnswer = Partial<RunResult> | undefined;

export interface ScriptedCall {
  argv: string[];
  input?: string;
  owner?: string;
}

export class ScriptedRunner implements Runner {
  calls: ScriptedCall[] = [];
  /** Files written, by path: the last content. */
  readonly files = new Map<string, string>();
  /** Directories made and not removed. */
  readonly dirs = new Set<string>();
  readonly steps: { owner: string; step: Step }[] = [];
  readonly recorder?: Recorder;

  /** `answer` gives each command's result (undefined: success, empty output). */
  constructor(private readonly answer: (argv: string[]) => ScriptedAnswer = () => undefined) {
    this.recorder = { record: (owner, step) => void this.steps.push({ owner, step }) };
  }

  async run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
    this.calls.push({ argv, input: opts.input?.toString(), owner: opts.owner });
    const r = { stdout: "", stderr: "", code: 0, ...this.answer(argv) };
    if (r.code !== 0 && !opts.allowFail) {
      throw new HostError(`run ${argv[0]}`, argv.slice(1).join(" "), opts.owner ?? "", r.stderr.trim() || `exit status ${r.code}`);
    }
    return r;
  }

  spawn(argv: string[]): ChildProcess;
  spawn(argv: string[], _opts?: SpawnOptions & { owner?: string }): ChildProcess {
    throw new Error(`ScriptedRunner cannot start long-running processes (${argv.join(" ")})`);
  }

  async writeFile(path: string, data: string, owner?: string): Promise<void> {
    this.files.set(path, data);
    this.note(owner, { kind: "write", argv: [], path, input: data, at: "", ms: 0 });
  }

  async mkdir(path: string, owner?: string): Promise<void> {
    this.dirs.add(path);
    this.note(owner, { kind: "mkdir", argv: [], path, at: "", ms: 0 });
  }

  async rmdir(path: string, owner?: string): Promise<void> {
    if (!this.dirs.delete(path)) return;
    this.note(owner, { kind: "rmdir", argv: [], path, at: "", ms: 0 });
  }

  comment(owner: string | undefined, text: string): void {
    this.note(owner, { kind: "comment", argv: [], input: text, at: "", ms: 0 });
  }

  note(owner: string | undefined, step: Step): void {
    if (owner) this.recorder?.record(owner, step);
  }

  /** The commands run so far, each joined with spaces. */
  commands(): string[] {
    return this.calls.map((c) => c.argv.join(" "));
  }

  clear(): void {
    this.calls = [];
  }
}
