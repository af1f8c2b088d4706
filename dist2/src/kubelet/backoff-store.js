/**
 * Persists the restart back-off of every container (a small JSON file in the state directory), so a kubelet that
 * restarts — even after kill -9 — resumes each CrashLoopBackOff where it was instead of restarting crashing
 * containers at once. Writes are coalesced: at most one write in flight, the last state always written.
 */
import { readJsonState, writeJsonState } from "../sys/json-state.js";
export class BackoffStore {
    path;
    backoff;
    log;
    writing;
    again = false;
    constructor(path, backoff, log) {
        this.path = path;
        this.backoff = backoff;
        this.log = log;
    }
    /** Loads the saved entries into the back-off and saves every later change. */
    async attach() {
        try {
            const saved = readJsonState(this.path, "the kubelet's back-off");
            if (saved)
                this.backoff.restore(saved);
        }
        catch (err) {
            // Losing back-off state only restarts crash loops from their first delay: start fresh, and say so.
            this.log?.(`back-off state not restored: ${String(err)}`);
        }
        this.backoff.onChange = () => this.save();
    }
    save() {
        if (this.writing) {
            this.again = true;
            return;
        }
        this.writing = Promise.resolve()
            .then(() => writeJsonState(this.path, this.backoff.snapshot()))
            .catch((err) => this.log?.(`cannot save back-off state to ${this.path}: ${String(err)}`))
            .finally(() => {
            this.writing = undefined;
            if (this.again) {
                this.again = false;
                this.save();
            }
        });
    }
    /** Resolves once the last change is on disk (clean shutdown, tests). */
    async flush() {
        while (this.writing)
            await this.writing;
    }
}
//# sourceMappingURL=backoff-store.js.map