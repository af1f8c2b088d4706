/**
 * State reads fail closed: only a missing file is "no record". Unreadable and corrupt records hold their pod —
 * out of the records and out of the orphan sweep — and a corrupt one is moved aside and keeps holding it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HostError } from "../../../src/sys/host-error.js";
import { Layout } from "../../../src/runtime/layout.js";
import { removeOrphans } from "../../../src/runtime/orphans.js";
import { HeldPodError, RuntimeRecords } from "../../../src/runtime/records.js";
import { FakeCgroupManager } from "../../../src/sys/cgroups/fake.js";
import { CorruptStateError, readJsonState, writeJsonState } from "../../../src/sys/json-state.js";
import { HostRunner } from "../../../src/sys/runner.js";
const NOW = new Date("2026-01-02T03:04:05.678Z");
async function withRoot(fn) {
    const root = mkdtempSync(join(tmpdir(), "nodelet-failclosed-"));
    try {
        await fn(new Layout(root, join(root, "log"), "/nonexistent/shim"));
    }
    finally {
        rmSync(root, { recursive: true, force: true });
    }
}
const uid = (n) => `0000000${n}-0000-0000-0000-000000000000`;
function sandbox(u) {
    return {
        podUid: u, namespace: "default", name: `p-${u.slice(7, 8)}`, pid: 999_999_999, createdAt: NOW.toISOString(), hostname: "p",
        cgroupPath: `besteffort/pod${u}`, hostNetwork: false, sharePid: false, hostIPC: false, ips: [], state: "ready",
    };
}
function container(u, id) {
    return {
        id, podUid: u, name: "c", attempt: 0, init: false, image: "busybox", imageId: "sha256:x", specHash: "h", createdAt: NOW.toISOString(),
        state: "running", logPath: "/dev/null", cgroupPath: `besteffort/pod${u}/${id}`,
        process: { uid: 0, gid: 0, groups: [], caps: [], noNewPrivs: true, privileged: false, env: [], cwd: "/" },
    };
}
test("readJsonState: missing is undefined, unreadable is a HostError, unparsable a CorruptStateError", () => withRoot(async (layout) => {
    const f = join(layout.root, "state.json");
    assert.equal(readJsonState(f), undefined);
    writeJsonState(f, { a: 1 });
    assert.deepEqual(readJsonState(f), { a: 1 });
    writeFileSync(f, '{"a": ');
    assert.throws(() => readJsonState(f), (e) => e instanceof CorruptStateError && e.path === f);
    rmSync(f);
    mkdirSync(f);
    assert.throws(() => readJsonState(f, "pod x"), (e) => e instanceof HostError && /cannot read .*state\.json for pod x: .*EISDIR/.test(e.message));
}));
test("load: good records are adopted; a corrupt or unreadable record holds its pod; a missing one is no record", () => withRoot(async (layout) => {
    const [good, torn, unreadable, badContainer, missing] = [1, 2, 3, 4, 5].map(uid);
    const w = new RuntimeRecords(layout);
    for (const u of [good, torn, unreadable, badContainer]) {
        await w.saveSandbox(sandbox(u));
        await w.saveContainer(container(u, `c${u.slice(7, 8)}`));
    }
    mkdirSync(layout.podDir(missing), { recursive: true }); // a pod directory whose sandbox record was never written
    writeFileSync(layout.podStateFile(torn), '{"podUid": "');
    rmSync(layout.podStateFile(unreadable));
    mkdirSync(layout.podStateFile(unreadable));
    writeFileSync(layout.containerStateFile(badContainer, "c4"), "not json");
    const r = new RuntimeRecords(layout);
    const held = await r.load(NOW);
    assert.deepEqual([...r.sandboxes.keys()], [good]);
    assert.deepEqual([...r.containers.keys()], ["c1"]);
    assert.deepEqual([...held.keys()].sort(), [torn, unreadable, badContainer].sort());
    assert.match(held.get(torn).reason, /corrupt state file .*sandbox\.json.*moved aside to .*sandbox\.json\.corrupt-2026-01-02T030405678Z/);
    assert.match(held.get(unreadable).reason, /cannot read .*sandbox\.json.*EISDIR/);
    assert.match(held.get(badContainer).reason, /container\.json.*moved aside/);
    assert.deepEqual(held.get(badContainer).containerIds, ["c4"]);
    assert.ok(!existsSync(layout.podStateFile(torn)), "the corrupt file is no longer read as state");
    assert.ok(readdirSync(layout.podDir(torn)).includes("sandbox.json.corrupt-2026-01-02T030405678Z"));
    assert.throws(() => r.checkNotHeld(torn), (e) => e instanceof HeldPodError && /held by the runtime: corrupt state file/.test(e.message));
    r.checkNotHeld(good);
    // The next start: the record moved aside is gone from its place, and the marker still holds the pod.
    const again = new RuntimeRecords(layout);
    const heldAgain = await again.load(NOW);
    assert.ok(heldAgain.has(torn) && heldAgain.has(badContainer));
    assert.match(heldAgain.get(torn).reason, /a corrupt record was moved aside to .*sandbox\.json\.corrupt-/);
}));
test("load: a pods directory that cannot be listed is an error, not an empty node", () => withRoot(async (layout) => {
    writeFileSync(layout.podsDir, "not a directory");
    await assert.rejects(new RuntimeRecords(layout).load(NOW), /cannot list .*pods/);
}));
test("the orphan sweep leaves a held pod's cgroups, files and exit records alone", () => withRoot(async (layout) => {
    const [held, orphan] = [1, 2].map(uid);
    const cgroups = new FakeCgroupManager();
    for (const u of [held, orphan]) {
        await cgroups.create(`besteffort/pod${u}`, {});
        await cgroups.create(`besteffort/pod${u}/pause`, {});
        await cgroups.create(`besteffort/pod${u}/c${u.slice(7, 8)}`, {});
        mkdirSync(layout.containerDir(u, `c${u.slice(7, 8)}`), { recursive: true });
    }
    mkdirSync(layout.exitsDir, { recursive: true });
    writeFileSync(layout.exitFile("c1"), "{}");
    const removed = await removeOrphans({ layout, runner: new HostRunner(), cgroups, pods: new Set(), containers: new Set(), held: new Set([held]) });
    assert.deepEqual(removed.filter((r) => r.includes(held) || r.includes("c1")), []);
    assert.ok(removed.includes(`cgroup besteffort/pod${orphan}`));
    assert.ok(cgroups.groups.has(`besteffort/pod${held}/c1`));
    assert.ok(existsSync(layout.containerDir(held, "c1")));
    assert.ok(existsSync(layout.exitFile("c1")), "no exit record is removed while a pod is held");
    assert.ok(!existsSync(layout.podDir(orphan)));
}));
//# sourceMappingURL=state-fail-closed.test.js.map