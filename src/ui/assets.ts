/**
 * The page's files (index.html, app.js, app.css: `make build` bundles them into dist/ui with every library inside,
 * so the view works with no network access), read once into memory with a gzip copy each. Nothing in them is
 * secret: they are served before login.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

export interface Asset {
  type: string;
  body: Buffer;
  gzip: Buffer;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
};

/** dist/ui of this checkout or installation: looked for upward from this module (the CLI bundle or dist/src/ui). */
export function findAssetsDir(from = import.meta.url): string | undefined {
  let dir = dirname(fileURLToPath(from));
  for (let i = 0; i < 6; i++) {
    for (const candidate of [join(dir, "dist", "ui"), join(dir, "ui")]) if (existsSync(join(candidate, "index.html"))) return candidate;
    dir = dirname(dir);
  }
  return undefined;
}

/** Every file of the directory (not recursive) by name; an empty map when it is missing. */
export function loadAssets(dir: string | undefined): Map<string, Asset> {
  const out = new Map<string, Asset>();
  if (!dir || !existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    if (!type) continue;
    const body = readFileSync(join(dir, name));
    out.set(name, { type, body, gzip: gzipSync(body, { level: 9 }) });
  }
  return out;
}
