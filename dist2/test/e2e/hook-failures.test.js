/**
 * Hook failures say why, as real kubectl shows them: `kubectl describe pod` lists FailedPostStartHook and
 * FailedPreStopHook with the hook's command, exit code and output; while a failed postStart's container is being
 * killed (it ignores SIGTERM, so the whole grace period) the pod already has its IP and a container status that
 * says PostStartHookError.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { needsCommand, needsRoot, skipUnless } from "../helpers/root.js";
import { eventually, TestDaemon } from "../helpers/daemon.js";
const skip = skipUnless(needsRoot(), needsCommand("kubectl"));
function freePort() {
    return new Promise((resolve) => {
        const s = createServer().listen(0, "127.0.0.1", () => {
            const port = s.address().port;
            s.close(() => resolve(port));
        });
    });
}
const STUBBORN = `["sh", "-c", "trap '' TERM; while true; do sleep 0.1; done"]`;
function podYaml(name, lifecycle) {
    return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  terminationGracePeriodSeconds: 20\n  containers:\n  - name: c\n    image: busybox\n    command: ${STUBBORN}\n    lifecycle:\n${lifecycle}`;
}
describe("hook failures in kubectl describe (privileged)", { skip }, () => {
    let d;
    let cache;
    const kubectl = (args) => new Promise((resolve) => {
        execFile("kubectl", ["--kubeconfig", join(d.root, "kubeconfig"), "--cache-dir", cache, ...args], { timeout: 60_000 }, (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }));
    });
    const jsonpath = async (name, path) => (await kubectl(["get", "pod", name, "-o", `jsonpath=${path}`])).stdout;
    before(async () => {
        d = new TestDaemon("hooks", ["--listen", `127.0.0.1:${await freePort()}`]);
        cache = mkdtempSync(join(tmpdir(), "nodelet-kubectl-cache-"));
        await d.start();
    });
    after(async () => {
        await d.cleanup();
        rmSync(cache, { recursive: true, force: true });
        assert.deepEqual(d.leftovers(), []);
    });
    test("postStart: the event has the exit code and output; the status is there during the kill", async () => {
        const file = join(d.root, "poststart.yaml");
        writeFileSync(file, podYaml("poststart", `      postStart:\n        exec:\n          command: ["sh", "-c", "echo cannot reach db; exit 3"]\n`));
        assert.equal((await kubectl(["apply", "-f", file])).code, 0);
        const described = await eventually(async () => {
            const r = await kubectl(["describe", "pod", "poststart"]);
            return /FailedPostStartHook/.test(r.stdout) && r.stdout;
        }, 30_000, "FailedPostStartHook in describe");
        assert.match(described, /Warning\s+FailedPostStartHook\s+.*kubelet\s+Exec lifecycle hook \(\[sh -c echo cannot reach db; exit 3\]\) for Container "c" in Pod "poststart_default\([0-9a-f-]+\)" failed - error: command 'sh -c echo cannot reach db; exit 3' exited with 3: , message: "cannot reach db\\n"\n/);
        // The container ignores SIGTERM: the kill takes the 20 s grace period, and the status is already written.
        const killing = await eventually(async () => (await kubectl(["describe", "pod", "poststart"])).stdout.match(/Normal\s+Killing\s+.*FailedPostStartHook/), 10_000, "Killing");
        assert.ok(killing);
        assert.match(await jsonpath("poststart", "{.status.podIP}"), new RegExp(`^10\\.${d.octet}\\.0\\.\\d+$`));
        assert.equal(await jsonpath("poststart", "{.status.containerStatuses[0].state.waiting.reason}"), "PostStartHookError");
        assert.match(await jsonpath("poststart", "{.status.containerStatuses[0].state.waiting.message}"), /exited with 3: , message: "cannot reach db\\n"$/);
        assert.equal(await jsonpath("poststart", "{.status.containerStatuses[0].ready}"), "false");
        assert.equal((await kubectl(["delete", "pod", "poststart", "--grace-period=0", "--force"])).code, 0);
    });
    test("preStop: FailedPreStopHook has the exit code and output while the pod terminates", async () => {
        const file = join(d.root, "prestop.yaml");
        writeFileSync(file, podYaml("prestop", `      preStop:\n        exec:\n          command: ["sh", "-c", "echo drain failed >&2; exit 4"]\n`));
        assert.equal((await kubectl(["apply", "-f", file])).code, 0);
        await eventually(async () => (await jsonpath("prestop", "{.status.phase}")) === "Running", 30_000, "prestop Running");
        assert.equal((await kubectl(["delete", "pod", "prestop", "--wait=false"])).code, 0);
        const described = await eventually(async () => {
            const r = await kubectl(["describe", "pod", "prestop"]);
            return /FailedPreStopHook/.test(r.stdout) && r.stdout;
        }, 20_000, "FailedPreStopHook in describe");
        assert.match(described, /Warning\s+FailedPreStopHook\s+.*kubelet\s+Exec lifecycle hook \(\[sh -c echo drain failed >&2; exit 4\]\) for Container "c" in Pod "prestop_default\([0-9a-f-]+\)" failed - error: command 'sh -c echo drain failed >&2; exit 4' exited with 4: drain failed\n, message: "drain failed\\n"/);
        assert.equal((await kubectl(["delete", "pod", "prestop", "--grace-period=0", "--force"])).code, 0);
    });
});
//# sourceMappingURL=hook-failures.test.js.map