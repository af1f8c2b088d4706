/**
 * The layer check of `make test` (.dependency-cruiser.cjs) catches what it is there to catch: a tree of small files
 * with one wrong-way import of each kind is cruised with the project's own rules, and each wrong import is reported
 * under its rule while the allowed ones are not.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
// Each file: its source. Imports use the project's NodeNext spelling (".js" for a .ts file).
const FIXTURE = {
    "src/api/types.ts": `export type Name = string;\n`,
    "src/api/impure.ts": `import { readFileSync } from "node:fs";\nexport const read = (p: string) => readFileSync(p, "utf8");\n`,
    "src/sys/host.ts": `import type { Name } from "../api/types.js";\nexport const host: Name = "h";\n`,
    "src/runtime/pod.ts": `export const pod = 1;\n`,
    "src/kubelet/loop.ts": `import { pod } from "../runtime/pod.js";\nexport const loop = pod;\n`,
    "src/apiserver/server.ts": `import { pod } from "../runtime/pod.js";\nexport const server = pod;\n`,
    "src/network/a.ts": `import { b } from "./b.js";\nexport const a = () => b;\n`,
    "src/network/b.ts": `import { a } from "./a.js";\nexport const b = () => a;\n`,
    "src/cli/get.ts": `import { main } from "../cmd/main.js";\nexport const get = main;\n`,
    "src/cmd/main.ts": `import { loop } from "../kubelet/loop.js";\nimport { server } from "../apiserver/server.js";\nexport const main = loop + server;\n`,
    "src/proxy/spawn.ts": `import { spawn } from "node:child_process";\nexport const s = spawn;\n`,
    "src/newroom/x.ts": `import type { Name } from "../api/types.js";\nexport const x: Name = "x";\n`,
    "tsconfig.json": JSON.stringify({ compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext", strict: true }, include: ["src/**/*.ts"] }),
};
function cruise(dir) {
    const bin = join(repo, "node_modules", ".bin", "depcruise");
    return new Promise((done, fail) => {
        execFile(bin, ["src", "--config", join(repo, ".dependency-cruiser.cjs"), "--output-type", "json"], { cwd: dir, maxBuffer: 16 << 20 }, (err, stdout) => {
            // depcruise exits non-zero when it finds violations; the JSON report is complete either way.
            try {
                const out = JSON.parse(stdout);
                done(out.summary.violations);
            }
            catch {
                fail(err ?? new Error(`depcruise printed no report: ${stdout.slice(0, 500)}`));
            }
        });
    });
}
test("the layer rules report each wrong-way import under its rule and pass the allowed ones", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nodelet-layering-"));
    try {
        for (const [path, text] of Object.entries(FIXTURE)) {
            mkdirSync(dirname(join(dir, path)), { recursive: true });
            writeFileSync(join(dir, path), text);
        }
        const found = (await cruise(dir)).map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort();
        const expected = [
            "api-is-pure: src/api/impure.ts -> fs",
            "layer-apiserver: src/apiserver/server.ts -> src/runtime/pod.ts",
            "layer-cli: src/cli/get.ts -> src/cmd/main.ts",
            "layer-sys: src/sys/host.ts -> src/api/types.ts",
            "processes-only-in-sys: src/proxy/spawn.ts -> child_process",
            "unknown-module: src/newroom/x.ts -> src/api/types.ts",
        ];
        for (const e of expected)
            assert.ok(found.includes(e), `expected "${e}" among:\n${found.join("\n")}`);
        assert.ok(found.some((f) => f.startsWith("no-circular: src/network/")), `expected the a.ts <-> b.ts cycle among:\n${found.join("\n")}`);
        // Allowed directions are not reported: kubelet -> runtime, cmd -> anything.
        assert.ok(!found.some((f) => f.includes("src/kubelet/loop.ts") || f.includes("src/cmd/main.ts ->")), found.join("\n"));
    }
    finally {
        rmSync(dir, { recursive: true, force: true });
    }
});
//# sourceMappingURL=dependency-rules.test.js.map