/**
 * Client of `nodelet-shim spawner` (shim/spawner.c): the daemon's commands are forked by that small process
 * instead of by Node, whose fork cost grows with the daemon's memory (measured here: ~1 ms for a fresh node,
 * 4-9 ms at 50-200 MB). Requests are framed as the C side documents; replies carry the exit status and the
 * collected stdout/stderr. If the spawner dies, pending calls fail and the Runner falls back to Node's spawn.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
/** The spawner's fd holding its sealed copy of the shim (shim/spawner.c). */
const SELF_COPY_FD = 9;
export class Spawner {
    shimPath;
    child;
    nextId = 1;
    pending = new Map();
    buffer = Buffer.alloc(0);
    dead = false;
    constructor(shimPath) {
        this.shimPath = shimPath;
    }
    /** Starts the fork server. It exits by itself when the daemon does (its stdin closes). */
    start() {
        const child = spawn(this.shimPath, ["spawner"], { stdio: ["pipe", "pipe", "inherit"] });
        this.child = child;
        child.stdout.on("data", (d) => this.onData(d));
        child.on("exit", () => this.fail(new Error("the spawner exited")));
        child.on("error", (e) => this.fail(e));
        child.stdin.on("error", () => undefined);
        // The spawner never keeps the daemon alive by itself; a pending request does (see hold()).
        child.unref();
        child.stdin.unref();
        this.hold(false);
    }
    /** Refs the reply pipe while requests are pending, so Node waits for their answers. */
    hold(on) {
        const out = this.child?.stdout;
        if (on)
            out?.ref();
        else
            out?.unref();
    }
    get alive() {
        return !this.dead && this.child !== undefined;
    }
    /**
     * The file to execute for `file` when it is the shim: the spawner's sealed in-memory copy of it (fd 9, see
     * shim/selfexe.h), so a shim started outside the spawner (an exec session) skips its own copy and re-execution,
     * ~2-4 ms of CPU here. Undefined for any other file, or when the spawner or its copy is gone.
     */
    sealedCopyOf(file) {
        if (file !== this.shimPath || !this.alive || !this.child?.pid)
            return undefined;
        const copy = `/proc/${this.child.pid}/fd/${SELF_COPY_FD}`;
        return existsSync(copy) ? copy : undefined;
    }
    /** Runs argv with env and optional stdin; resolves when it has exited and its output is complete. */
    run(argv, env, input) {
        if (!this.alive)
            return Promise.reject(new Error("the spawner is not running"));
        const id = this.nextId++;
        const frame = encodeRequest(id, argv, Object.entries(env).map(([k, v]) => `${k}=${v}`), input === undefined ? Buffer.alloc(0) : Buffer.from(input));
        return new Promise((resolve, reject) => {
            this.pending.set(id, { resolve, reject });
            if (this.pending.size === 1)
                this.hold(true);
            this.child.stdin.write(frame);
        });
    }
    stop() {
        this.child?.stdin?.end();
        this.dead = true;
    }
    onData(d) {
        this.buffer = this.buffer.length ? Buffer.concat([this.buffer, d]) : d;
        while (this.buffer.length >= 4) {
            const len = this.buffer.readUInt32LE(0);
            if (this.buffer.length < 4 + len)
                break;
            this.onReply(this.buffer.subarray(4, 4 + len));
            this.buffer = this.buffer.subarray(4 + len);
        }
    }
    onReply(b) {
        const id = b.readUInt32LE(0);
        const pid = b.readInt32LE(4);
        const status = b.readInt32LE(8);
        const outLen = b.readUInt32LE(12);
        const stdout = b.subarray(16, 16 + outLen).toString();
        const errLen = b.readUInt32LE(16 + outLen);
        const stderr = b.subarray(20 + outLen, 20 + outLen + errLen).toString();
        const p = this.pending.get(id);
        this.pending.delete(id);
        if (this.pending.size === 0)
            this.hold(false);
        if (!p)
            return;
        if (pid < 0)
            p.resolve({ pid: 0, code: 127, stdout: "", stderr: `cannot start: errno ${-pid}` });
        else
            p.resolve({ pid, code: status, stdout, stderr });
    }
    fail(e) {
        this.dead = true;
        for (const p of this.pending.values())
            p.reject(e);
        this.pending.clear();
    }
}
function encodeRequest(id, argv, env, input) {
    const parts = [];
    const u32 = (n) => {
        const b = Buffer.alloc(4);
        b.writeUInt32LE(n);
        parts.push(b);
    };
    const strings = (list) => {
        u32(list.length);
        for (const s of list) {
            const b = Buffer.from(s);
            u32(b.length);
            parts.push(b);
        }
    };
    u32(0);
    u32(id);
    strings(argv);
    strings(env);
    u32(input.length);
    parts.push(input);
    const frame = Buffer.concat(parts);
    frame.writeUInt32LE(frame.length - 4, 0);
    return frame;
}
//# sourceMappingURL=spawner.js.map