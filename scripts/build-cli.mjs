#!/usr/bin/env node
// make build, the CLI part: src/cmd/nodelet.ts bundled into dist/cli/nodelet.cjs, and each verb it loads on demand
// (`import("../cli/run.js")`, or `import("./verbs/daemon.js")` for the node's own verbs) into its own self-contained
// dist/cli/<verb>.cjs, so `nodelet run` reads three files.
//
// CommonJS rather than ES modules because of start-up: Node 20 loads every ES module through its asynchronous loader
// (each file read on the thread pool, resolved and linked through promises), which cost `nodelet run` ~15-20 ms
// across the seven chunks of a split ESM bundle; require() reads and runs one file synchronously.
// yaml (only for -o yaml and manifests) is its own dist/cli/yaml.cjs, loaded when first needed.
import { build } from "esbuild";
import { createRequire } from "node:module";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist", "cli");
const require = createRequire(import.meta.url);

const common = {
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  logLevel: "warning",
  absWorkingDir: root,
  // etcd3 loads its .proto files from beside itself, and runs in a worker that requires it by path (store/etcd-sync.ts).
  external: ["better-sqlite3", "etcd3"],
  // import() of a verb, of yaml or of node:https becomes a require() when it runs: no trip through the ESM loader.
  supported: { "dynamic-import": false },
  // import.meta.url (findShim walks up from it) is this bundle's file URL.
  inject: [join(root, "scripts", "cjs-import-meta.mjs")],
  define: { "import.meta.url": "__cjs_import_meta_url" },
};

/** The dispatcher's `import("../cli/VERB.js")` and `import("./verbs/VERB.js")` stay imports, of ./VERB.cjs. */
const verbs = new Map(); // verb → its source file
const verbChunks = {
  name: "verb-chunks",
  setup(b) {
    b.onResolve({ filter: /^(\.\.\/cli|\.\/verbs)\/[a-z-]+\.js$/ }, (args) => {
      if (args.kind !== "dynamic-import") return undefined;
      const verb = args.path.slice(args.path.lastIndexOf("/") + 1, -".js".length);
      verbs.set(verb, join("src", "cmd", args.path.replace(/\.js$/, ".ts")));
      return { path: `./${verb}.cjs`, external: true };
    });
  },
};

/** `import("yaml")` loads the one shared dist/cli/yaml.cjs. */
const sharedYaml = {
  name: "shared-yaml",
  setup(b) {
    b.onResolve({ filter: /^yaml$/ }, () => ({ path: "./yaml.cjs", external: true }));
  },
};

mkdirSync(out, { recursive: true });
await build({ ...common, entryPoints: { nodelet: "src/cmd/nodelet.ts" }, outdir: out, outExtension: { ".js": ".cjs" }, plugins: [verbChunks] });
await build({
  ...common,
  entryPoints: Object.fromEntries(verbs),
  outdir: out,
  outExtension: { ".js": ".cjs" },
  plugins: [sharedYaml],
});
await build({ ...common, entryPoints: { yaml: require.resolve("yaml") }, outdir: out, outExtension: { ".js": ".cjs" } });
