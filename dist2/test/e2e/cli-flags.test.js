/**
 * Global flags where kubectl users put them: `nodelet --socket S -n NS VERB ...` drives a real daemon exactly as
 * the same flags after the verb do (the environment's NODELET_SOCKET points nowhere, so only --socket can reach it).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { needsRoot } from "../helpers/root.js";
import { eventually, suiteDaemon } from "../helpers/daemon.js";
const skip = needsRoot();
describe("CLI flags before the verb (privileged)", { skip }, () => {
    const d = suiteDaemon("cli-flags", ["--no-network"]);
    const nowhere = { NODELET_SOCKET: "/nonexistent/nodelet.sock" };
    const cli = (args) => d.cli(args, undefined, nowhere);
    test("--socket and -n before run, get, logs, describe and delete", async () => {
        const run = await cli(["--socket", d.socket, "-n", "kube-public", "run", "early", "--image", "busybox", "--restart", "Never", "--", "sh", "-c", "echo from early; sleep 3600"]);
        assert.equal(run.code, 0, run.stderr);
        assert.equal(run.stdout, "pod/early created\n");
        const inDefault = await cli(["--socket", d.socket, "get", "pods", "-o", "name"]);
        assert.equal(inDefault.stdout, "", "the pod went to -n kube-public, not to default");
        await eventually(async () => (await cli([`--socket=${d.socket}`, "-nkube-public", "get", "pod", "early", "-o", "jsonpath={.status.phase}"])).stdout === "Running", 20_000, "early Running");
        // Before and after the verb mixed, as kubectl allows.
        const logs = await cli(["-n", "kube-public", "logs", "early", "--socket", d.socket]);
        assert.equal(logs.stdout, "from early\n", logs.stderr);
        const described = await cli(["--socket", d.socket, "-n", "kube-public", "describe", "pod", "early"]);
        assert.match(described.stdout, /^Name:\s+early\nNamespace:\s+kube-public\n/);
        const del = await cli(["--socket", d.socket, "-n", "kube-public", "delete", "pod", "early", "--grace-period", "0", "--force"]);
        assert.equal(del.code, 0, del.stderr);
        await eventually(async () => (await cli(["--socket", d.socket, "-n", "kube-public", "get", "pods", "-o", "name"])).stdout === "", 20_000, "early gone");
    });
    test("without --socket the same command goes to NODELET_SOCKET (nowhere) and says so", async () => {
        const r = await cli(["-n", "kube-public", "get", "pods"]);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /cannot connect to nodelet at \/nonexistent\/nodelet\.sock/);
    });
});
//# sourceMappingURL=cli-flags.test.js.map