import { test } from "node:test";
import assert from "node:assert/strict";
import { HostRunner } from "../../../src/sys/runner.js";
test("a verbose HostRunner logs each command with its argv, exit status and time", async () => {
    const lines = [];
    const runner = new HostRunner(undefined, (m) => lines.push(m));
    await runner.run(["/bin/sh", "-c", "exit 0", "ok-marker"]);
    await runner.run(["/bin/sh", "-c", "exit 3", "fail-marker"], { allowFail: true });
    assert.equal(lines.length, 2);
    assert.match(lines[0], /^exec \/bin\/sh -c exit 0 ok-marker -> exit 0 in \d+ ms$/);
    assert.match(lines[1], /^exec \/bin\/sh -c exit 3 fail-marker -> exit 3 in \d+ ms$/);
});
//# sourceMappingURL=runner-verbose.test.js.map