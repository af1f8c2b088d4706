/**
 * README's Layout table says the same as the tree and the layer rules: a row for every folder under src/ (and none
 * for a folder that is not there), and each row's "may import" column equal to the folder's entry in
 * .dependency-cruiser.cjs (the rules make deps-check enforces).
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");

/** `src/x` row → its "may import" list (null: anything). */
function readmeRows(): Map<string, string[] | null> {
  const readme = readFileSync(join(repo, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("\n## Layout\n"));
  const rows = new Map<string, string[] | null>();
  for (const m of section.matchAll(/^\| `src\/([a-z]+)` \| .* \| ([^|]*) \|$/gm)) {
    const cell = m[2].trim();
    rows.set(m[1], cell === "anything" ? null : cell === "nothing" ? [] : cell.split(",").map((s) => s.trim()));
  }
  return rows;
}

/** The ALLOWED table of .dependency-cruiser.cjs. */
function rules(): Map<string, string[] | null> {
  const text = readFileSync(join(repo, ".dependency-cruiser.cjs"), "utf8");
  const block = text.slice(text.indexOf("const ALLOWED = {"), text.indexOf("};", text.indexOf("const ALLOWED = {")));
  const out = new Map<string, string[] | null>();
  for (const m of block.matchAll(/^\s+([a-z]+): (null|\[([^\]]*)\]),/gm)) {
    out.set(m[1], m[2] === "null" ? null : [...(m[3] ?? "").matchAll(/"([a-z]+)"/g)].map((x) => x[1]));
  }
  return out;
}

test("README's layout table has a row for each folder of src/ and none for another", () => {
  const folders = readdirSync(join(repo, "src"), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  assert.deepEqual([...readmeRows().keys()].sort(), folders);
});

test("each row's 'may import' column is the folder's layer rule", () => {
  const allowed = rules();
  assert.ok(allowed.size > 10, "the rules were read");
  for (const [folder, imports] of readmeRows()) {
    assert.ok(allowed.has(folder), `src/${folder} has a rule`);
    const rule = allowed.get(folder) ?? null;
    assert.deepEqual(imports === null ? null : [...imports].sort(), rule === null ? null : [...rule].sort(), `src/${folder}`);
  }
});
