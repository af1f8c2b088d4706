/**
 * State reads fail closed: a daemon restarted over a runtime record that is corrupt (torn JSON) or unreadable (a
 * directory where the file should be: EISDIR, which root gets too) kills no live container. The pod is held —
 * not adopted, not swept — the corrupt file is moved aside, and the refusal shows as an Event on the pod and a
 * line in the daemon's log. `nodelet reset` (the suite's cleanup) still removes everything.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isSameProcess } from "../../src/sys/proc.js";
import { needsRoot } from "../helpers/root.js";
import { eventually, suiteDaemon } from "../helpers/daemon.js";
const skip = needsRoot();
describe("state reads fail closed (privileged)", { skip }, () => {
    const d = suiteDaemon("failclosed", ["--no-network"]);
    const running = (name) => eventually(async () => {
        const p = await d.pod(name);
        return p?.status?.containerStatuses?.[0]?.state.running && p;
    }, 15_000, `${name} running`);
    const heldEvent = (name) => eventually(async () => {
        const r = await d.cli(["get", "events", "-o", "json"]);
        const list = JSON.parse(r.stdout);
        return list.items.find((e) => e.involvedObject.name === name && e.reason === "FailedCreatePodSandBox" && e.message.includes("held by the runtime"));
    }, 15_000, `the held event of ${name}`);
    test("a corrupt sandbox record and an unreadable container record: both pods' containers live on", async () => {
        for (const name of ["torn", "unreadable"])
            await d.cli(["run", name, "--image", "busybox", "--", "sleep", "3600"]);
        const pods = [await running("torn"), await running("unreadable")];
        const [torn, unreadable] = pods.map((p) => p.metadata.uid);
        const pids = [d.runningPid(torn), d.runningPid(unreadable)];
        assert.ok(pids.every((p) => p && isSameProcess(p)));
        await d.kill9();
        // A torn write of the sandbox record, and a directory where a container record should be.
        writeFileSync(join(d.root, "pods", torn, "sandbox.json"), '{"podUid": "');
        const ctrDir = join(d.root, "pods", unreadable, "containers");
        const id = readdirSync(ctrDir)[0];
        rmSync(join(ctrDir, id, "container.json"));
        mkdirSync(join(ctrDir, id, "container.json"));
        await d.start();
        const tornEvent = await heldEvent("torn");
        assert.match(tornEvent.message, /corrupt state file .*sandbox\.json.*moved aside to .*sandbox\.json\.corrupt-/);
        const unreadableEvent = await heldEvent("unreadable");
        assert.match(unreadableEvent.message, /cannot read .*container\.json.*EISDIR/);
        assert.match(d.log, new RegExp(`pod ${torn} held, not adopted and not swept`));
        assert.match(d.log, new RegExp(`pod ${unreadable} held, not adopted and not swept`));
        assert.ok(readdirSync(join(d.root, "pods", torn)).some((f) => f.startsWith("sandbox.json.corrupt-")), "the corrupt record is kept aside");
        assert.ok(pids.every((p) => isSameProcess(p)), "no live container was killed");
        // Restarted again, the record moved aside still holds the pod: it is not taken for an orphan now.
        await d.kill9();
        await d.start();
        assert.equal(d.log.split(`pod ${torn} held`).length - 1, 2, "held again at the second start");
        assert.ok(pids.every((p) => isSameProcess(p)), "no live container was killed by the second start");
    });
});
//# sourceMappingURL=state-fail-closed.test.js.map