export const realClock = {
    now: () => Date.now(),
    setTimeout(fn, ms) {
        const t = setTimeout(fn, Math.max(0, ms));
        t.unref?.();
        return { cancel: () => clearTimeout(t) };
    },
};
/** A clock that only moves when the test says so; timers fire in order as time passes them. */
export class FakeClock {
    current;
    timers = [];
    nextId = 0;
    constructor(current = 1_700_000_000_000) {
        this.current = current;
    }
    now() {
        return this.current;
    }
    setTimeout(fn, ms) {
        const id = this.nextId++;
        this.timers.push({ at: this.current + Math.max(0, ms), fn, id });
        return { cancel: () => (this.timers = this.timers.filter((t) => t.id !== id)) };
    }
    advance(ms) {
        const target = this.current + ms;
        for (;;) {
            this.timers.sort((a, b) => a.at - b.at || a.id - b.id);
            const next = this.timers[0];
            if (!next || next.at > target)
                break;
            this.timers.shift();
            this.current = next.at;
            next.fn();
        }
        this.current = target;
    }
}
/** Waits `ms` on `clock` (a poll interval); with a FakeClock it resolves when the test advances time past it. */
export function sleep(clock, ms) {
    return new Promise((resolve) => clock.setTimeout(resolve, ms));
}
/** An ISO 8601 timestamp of the clock's current time, as records and API objects carry it. */
export function isoNow(clock) {
    return new Date(clock.now()).toISOString();
}
//# sourceMappingURL=clock.js.map