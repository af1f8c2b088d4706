/**
 * The README's Security section promises that each of its lines names the test that proves it. This keeps the
 * promise: every `FILE › test name` it cites (and every bare test file) must exist, and the name must be a test
 * in that file.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
/** The section's text, lines joined (a citation may wrap), and the citations in backticks. */
function citations() {
    const readme = readFileSync(`${ROOT}README.md`, "utf8");
    const start = readme.indexOf("\n## Security\n");
    assert.ok(start >= 0, "README has a Security section");
    const end = readme.indexOf("\n## ", start + 1);
    const text = readme.slice(start, end < 0 ? undefined : end).replace(/\n/g, " ");
    const out = [];
    let file;
    for (const [, span] of text.matchAll(/`([^`]+)`/g)) {
        const m = /^(?:((?:unit|privileged|e2e)\/[\w./-]+\.test\.ts)\s*)?(?:›\s*(.+))?$/.exec(span.trim());
        if (!m || (!m[1] && !m[2]))
            continue;
        if (m[1])
            file = m[1];
        if (!file)
            continue;
        out.push({ file, name: m[2]?.trim() });
    }
    return out;
}
test("every test the README's Security section cites exists", () => {
    const cited = citations();
    assert.ok(cited.length >= 20, `found ${cited.length} citations`);
    const missing = [];
    for (const { file, name } of cited) {
        const path = `${ROOT}test/${file}`;
        if (!existsSync(path)) {
            missing.push(`no file test/${file}`);
            continue;
        }
        if (!name)
            continue;
        const source = readFileSync(path, "utf8").replace(/\\(["'`\\])/g, "$1").replace(/\s+/g, " ");
        if (!source.includes(name.replace(/\s+/g, " ")))
            missing.push(`no test "${name}" in test/${file}`);
    }
    assert.deepEqual(missing, []);
});
//# sourceMappingURL=readme-security.test.js.map