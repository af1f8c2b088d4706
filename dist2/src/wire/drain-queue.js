/**
 * One "drain" listener shared by any number of waiters: a session with hundreds of blocked streams must not add
 * hundreds of listeners to its socket.
 */
export class DrainQueue {
    stream;
    waiting = [];
    listening = false;
    constructor(stream) {
        this.stream = stream;
    }
    wait(cb) {
        if (!this.stream.writableNeedDrain || this.stream.destroyed)
            return cb();
        this.waiting.push(cb);
        if (this.listening)
            return;
        this.listening = true;
        const release = () => {
            this.listening = false;
            this.stream.off("drain", release);
            this.stream.off("close", release);
            const cbs = this.waiting;
            this.waiting = [];
            for (const fn of cbs)
                fn();
        };
        this.stream.on("drain", release);
        this.stream.on("close", release);
    }
}
//# sourceMappingURL=drain-queue.js.map