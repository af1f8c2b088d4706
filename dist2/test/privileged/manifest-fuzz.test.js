/**
 * A sample (500) of the generated manifests (helpers/manifest-fuzz.ts) sent over the socket to a real daemon (privileged:
 * the daemon runs as root), with dryRun=All so the kubelet starts nothing: the daemon does not crash, answers no
 * 5xx, refuses each bad one with a Status naming the field, and its memory stays bounded. The full 10,000 go through
 * the same create path in-process in unit/apiserver/manifest-fuzz.test.ts.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { needsRoot } from "../helpers/root.js";
import { suiteDaemon } from "../helpers/daemon.js";
import { answerProblem, fuzzCase } from "../helpers/manifest-fuzz.js";
const skip = needsRoot();
const RUNS = Number(process.env.NODELET_DAEMON_FUZZ_RUNS ?? 500);
function rssMiB(pid) {
    return Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]) / 1024;
}
describe("API fuzzing against a daemon (privileged)", { skip }, () => {
    const d = suiteDaemon("fuzz", ["--no-network"]);
    test(`${RUNS} generated manifests over the socket: no crash, no 5xx, each refusal naming the field, memory bounded`, async () => {
        const pid = d.pid;
        const tally = new Map();
        const before = rssMiB(pid);
        let peak = before;
        const started = Date.now();
        await fc.assert(fc.asyncProperty(fuzzCase, async (c) => {
            const r = await d.client.raw("POST", `/api/v1/namespaces/default/${c.resource}`, { body: c.body, contentType: "application/json", query: { dryRun: "All" } });
            tally.set(r.status, (tally.get(r.status) ?? 0) + 1);
            const problem = answerProblem(r.status, r.body.toString());
            if (problem)
                throw new Error(`${c.resource} (${c.how}): ${problem}\nbody: ${c.body.slice(0, 400)}`);
            peak = Math.max(peak, rssMiB(pid));
        }), { numRuns: RUNS, seed: 9, endOnFailure: true, includeErrorInReport: true });
        const after = rssMiB(pid);
        console.log(`${RUNS} manifests in ${((Date.now() - started) / 1000).toFixed(1)} s; answers ${JSON.stringify(Object.fromEntries(tally))}; daemon RSS ${before.toFixed(0)} -> ${after.toFixed(0)} MiB (peak ${peak.toFixed(0)})`);
        assert.equal(d.pid, pid, "the daemon is the same process: it did not crash");
        assert.equal((await d.client.raw("GET", "/api/v1/namespaces/default/pods")).status, 200, "and it still answers");
        assert.deepEqual(JSON.parse((await d.client.raw("GET", "/api/v1/namespaces/default/pods")).body.toString()).items, [], "dryRun stored nothing");
        // Bodies of up to ~600 KB are parsed, copied and answered; garbage comes and goes, nothing accumulates.
        assert.ok(after - before < 100, `daemon RSS grew by ${(after - before).toFixed(0)} MiB`);
    });
});
//# sourceMappingURL=manifest-fuzz.test.js.map