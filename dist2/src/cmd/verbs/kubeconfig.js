/**
 * `nodelet kubeconfig [--root DIR]`: prints the kubeconfig the daemon wrote for kubectl (the daemon must run with
 * --listen HOST:PORT). Use: `nodelet kubeconfig > ~/.kube/config` or `KUBECONFIG=$(nodelet kubeconfig --path)`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { boolFlag, flag, parseArgs } from "../../cli/args.js";
import { DEFAULT_ROOT } from "../daemon-config.js";
export const FLAGS = [{ name: "root", value: true }, { name: "path", value: false }, { name: "kubeconfig", value: true }, { name: "help", short: "h", value: false }];
export async function main(argv) {
    const p = parseArgs(argv, FLAGS);
    const path = flag(p, "kubeconfig") ?? join(flag(p, "root") ?? DEFAULT_ROOT, "kubeconfig");
    if (boolFlag(p, "path")) {
        process.stdout.write(`${path}\n`);
        return 0;
    }
    try {
        process.stdout.write(readFileSync(path, "utf8"));
        return 0;
    }
    catch {
        process.stderr.write(`error: no kubeconfig at ${path}: start the daemon with --listen 127.0.0.1:6443\n`);
        return 1;
    }
}
//# sourceMappingURL=kubeconfig.js.map