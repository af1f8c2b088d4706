/**
 * The systemd unit `make install` puts in place: the settings that make "stop the service" leave pods running,
 * checked as data, and by systemd-analyze when it is there.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { onPath } from "../../helpers/root.js";
const UNIT = fileURLToPath(new URL("../../../../deploy/nodelet.service", import.meta.url));
function parseUnit(text) {
    const out = new Map();
    let section = "";
    for (const line of text.split("\n")) {
        if (/^\s*(#|$)/.test(line))
            continue;
        const s = /^\[(\w+)\]$/.exec(line.trim());
        if (s)
            section = s[1];
        else
            out.set(`${section}.${line.split("=")[0]}`, line.slice(line.indexOf("=") + 1));
    }
    return out;
}
test("the unit stops only the daemon (pods survive), restarts it, and starts it on boot", () => {
    const u = parseUnit(readFileSync(UNIT, "utf8"));
    assert.equal(u.get("Service.ExecStart"), "@BINDIR@/nodelet daemon");
    assert.equal(u.get("Service.KillMode"), "process");
    assert.equal(u.get("Service.KillSignal"), "SIGTERM");
    assert.equal(u.get("Service.Restart"), "always");
    assert.equal(u.get("Service.Delegate"), "yes");
    assert.equal(u.get("Install.WantedBy"), "multi-user.target");
});
test("systemd-analyze accepts the installed unit", { skip: onPath("systemd-analyze") ? false : "systemd-analyze is not installed" }, () => {
    const dir = mkdtempSync(join(tmpdir(), "nodelet-unit-"));
    try {
        const bin = join(dir, "nodelet");
        writeFileSync(bin, "#!/bin/sh\n", { mode: 0o755 });
        const unit = join(dir, "nodelet.service");
        writeFileSync(unit, readFileSync(UNIT, "utf8").replaceAll("@BINDIR@", dir));
        const r = spawnSync("systemd-analyze", ["verify", unit], { encoding: "utf8" });
        assert.equal(r.stderr.split("\n").filter((l) => l.includes("nodelet.service")).join("\n"), "");
    }
    finally {
        rmSync(dir, { recursive: true, force: true });
    }
});
//# sourceMappingURL=systemd-unit.test.js.map