/**
 * Real kubectl against a real daemon (not a fake node): apply, get, describe, logs, exec, delete — the whole path
 * from kubectl through the HTTPS listener to containers made by the shim.
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
describe("kubectl against a real daemon (privileged)", { skip }, () => {
    let d;
    let cache;
    const kubectl = (args, input) => new Promise((resolve) => {
        const child = execFile("kubectl", ["--kubeconfig", join(d.root, "kubeconfig"), "--cache-dir", cache, ...args], { timeout: 60_000 }, (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }));
        if (input !== undefined)
            child.stdin.end(input);
    });
    before(async () => {
        d = new TestDaemon("kubectl", ["--listen", `127.0.0.1:${await freePort()}`]);
        cache = mkdtempSync(join(tmpdir(), "nodelet-kubectl-cache-"));
        await d.start();
    });
    after(async () => {
        await d.cleanup();
        rmSync(cache, { recursive: true, force: true });
        assert.deepEqual(d.leftovers(), []);
    });
    test("apply, get, describe, logs, exec, delete", async () => {
        const file = join(d.root, "web.yaml");
        writeFileSync(file, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels:\n    app: web\nspec:\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: c\n    image: busybox\n    command: [\"sh\", \"-c\", \"echo started; exec sleep 3600\"]\n");
        const applied = await kubectl(["apply", "-f", file]);
        assert.equal(applied.code, 0, applied.stderr);
        assert.match(applied.stdout, /pod\/web created/);
        await eventually(async () => (await kubectl(["get", "pod", "web", "-o", "jsonpath={.status.phase}"])).stdout === "Running", 20_000, "web Running");
        const wide = await kubectl(["get", "pods", "-o", "wide"]);
        assert.match(wide.stdout, new RegExp(`^web\\s+1/1\\s+Running\\s+0\\s+\\S+\\s+10\\.${d.octet}\\.0\\.\\d+\\s+\\S+`, "m"));
        assert.match((await kubectl(["describe", "pod", "web"])).stdout, /Events:[\s\S]*Started/);
        assert.equal((await kubectl(["logs", "web"])).stdout, "started\n");
        const exec = await kubectl(["exec", "web", "--", "sh", "-c", "hostname; exit 3"]);
        assert.equal(exec.code, 3);
        assert.equal(exec.stdout, "web\n");
        const stdin = await kubectl(["exec", "-i", "web", "--", "cat"], "through kubectl\n");
        assert.equal(stdin.stdout, "through kubectl\n");
        const del = await kubectl(["delete", "pod", "web"]);
        assert.equal(del.code, 0, del.stderr);
        assert.match(del.stdout, /pod "web" deleted/);
        assert.equal((await kubectl(["get", "pods", "-o", "name"])).stdout, "");
    });
});
//# sourceMappingURL=kubectl-daemon.test.js.map