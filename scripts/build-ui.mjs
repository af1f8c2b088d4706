#!/usr/bin/env node
// make build, the web view's part: web/app.ts bundled with its libraries (Cytoscape.js, uPlot) into one minified
// dist/ui/app.js, the styles (ours and uPlot's) into dist/ui/app.css, and web/index.html copied beside them. Nothing is
// fetched at run time: the daemon serves these three files, so the view works on a node without network access.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist", "ui");
const require = createRequire(import.meta.url);
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(root, "web", "app.ts")],
  outfile: join(out, "app.js"),
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2020",
  platform: "browser",
  legalComments: "eof",
  logLevel: "warning",
  absWorkingDir: root,
});
const css = [readFileSync(require.resolve("uplot/dist/uPlot.min.css"), "utf8"), readFileSync(join(root, "web", "app.css"), "utf8")].join("\n");
writeFileSync(join(out, "app.css"), css);
copyFileSync(join(root, "web", "index.html"), join(out, "index.html"));
const js = readFileSync(join(out, "app.js"));
process.stdout.write(`dist/ui/app.js: ${(js.length / 1024).toFixed(0)} KiB, ${(gzipSync(js, { level: 9 }).length / 1024).toFixed(0)} KiB gzip\n`);
