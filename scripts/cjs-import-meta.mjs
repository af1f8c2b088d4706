// Injected into the CommonJS bundles of scripts/build-cli.mjs: what `import.meta.url` is there (the bundle's file).
import { pathToFileURL } from "node:url";

export const __cjs_import_meta_url = pathToFileURL(__filename).href;
