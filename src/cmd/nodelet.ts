/**
 * The `nodelet` command: one verb per file under src/cli, loaded on demand so a short command pays only for the
 * code it runs (the CLI's start-up is part of every pod's user-visible latency).
 */
import { describeFlags, helpRequested, PRE_VERB_FLAGS, splitVerb, UsageError, type FlagSpec } from "../cli/args.js";

type Verb = { main(args: string[], verb: string): Promise<number>; FLAGS?: FlagSpec[] };

// Explicit imports (not a computed path) so a bundler can split each verb into its own chunk.
const VERBS: Record<string, () => Promise<Verb>> = {
  run: () => import("../cli/run.js"),
  apply: () => import("../cli/apply.js"),
  create: () => import("../cli/apply.js"),
  get: () => import("../cli/get.js"),
  describe: () => import("../cli/describe.js"),
  logs: () => import("../cli/logs.js"),
  exec: () => import("../cli/exec.js"),
  top: () => import("../cli/top.js"),
  delete: () => import("../cli/delete.js"),
  images: () => import("../cli/images.js"),
  image: () => import("../cli/images.js"),
  explain: () => import("../cli/explain.js"),
  "port-forward": () => import("../cli/port-forward.js"),
  daemon: () => import("./verbs/daemon.js"),
  "control-plane": () => import("./verbs/control-plane.js"),
  node: () => import("./verbs/node.js"),
  reset: () => import("./verbs/reset.js"),
  version: () => import("../cli/version.js"),
  kubeconfig: () => import("./verbs/kubeconfig.js"),
  dashboard: () => import("./verbs/dashboard.js"),
  token: () => import("./verbs/token.js"),
  cluster: () => import("./verbs/cluster.js"),
  "api-resources": () => import("../cli/api-resources.js"),
};

const USAGE = `nodelet: a Kubernetes node agent that builds pods from Linux primitives

Usage: nodelet [flags] VERB [flags]

Pods:
  run NAME --image IMG [--restart Never] [--rm --attach] [-- CMD ARGS...]
  apply -f FILE            create or update objects from YAML/JSON (multi-document)
  get TYPE [NAME]          pods, services, events, nodes, ... [-o wide|json|yaml|name] [-n NS] [-A] [-l sel] [-w]
  describe TYPE NAME       details and events
  logs POD [-c CTR] [-f] [--previous] [--tail N] [--timestamps]
  exec POD [-c CTR] [-i] [-t] -- CMD ARGS...
  top pods                 CPU and memory from cgroup accounting
  delete TYPE NAME | -f FILE [--grace-period S] [--now] [--force]
  port-forward pod/NAME [LOCAL:]REMOTE...
  explain pod NAME         the host commands that built the pod, as a shell script
Images:
  images                   list images on this node
  image pull REF           pull from a registry (per-layer progress on a terminal)
  image import FILE|DIR    load an OCI layout (directory or tar) or a docker save archive
  image save REF -o FILE   write an image as an OCI layout tar
  image inspect REF...     an image's record, tags, digests and layers, as JSON
  image build --from-host PATH... --tag NAME
  image build --debian PKG... --tag NAME   a Debian image of PKGs, made with mmdebstrap from this node's apt sources
  image push REF           push a node image to the registry REF names (see README: Registries)
  image rm NAME...
  image prune [--all]      remove untagged unused images (--all: every image no container uses)
Node:
  daemon [--root DIR] [--socket PATH] [--cgroup-parent PATH] ...   run the node agent
Cluster:
  control-plane [--etcd-servers URL,...] [--listen HOST:PORT] ...   API server and elected controllers
  node --bootstrap-kubeconfig FILE | --server https://HOST:PORT --token TOKEN [--ca-cert-hash sha256:HEX|--ca-file FILE] | --kubeconfig FILE   join a control plane
  reset [--root DIR]       remove what DIR's daemon made, as it recorded it: pods, rules, bridge, cgroups
  kubeconfig               print a kubeconfig for kubectl
  dashboard [--port N]     the node's web view on 127.0.0.1: prints a one-time login URL, serves until interrupted
  token create [--ttl 24h] | list | delete ID   bootstrap tokens that let nodes join (printed once by create)
  cluster up --nodes N [--etcd-members M] [--control-planes K] [--root DIR] | status | down | lb   a whole cluster on this host (namespaces, no VMs)
  version

Flags for every client verb, before or after the verb: --socket PATH (or NODELET_SOCKET), -n NAMESPACE,
  --server URL --token TOKEN (the daemon's --listen address instead of the socket)
`;

async function main(argv: string[]): Promise<number> {
  let verb: string | undefined;
  let rest: string[];
  try {
    ({ verb, args: rest } = splitVerb(argv));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`error: ${err.message}\nRun 'nodelet help' for usage.\n`);
    return 1;
  }
  if (!verb || verb === "help") {
    process.stdout.write(USAGE);
    return verb === "help" || helpRequested(rest) ? 0 : 1;
  }
  const load = VERBS[verb];
  if (!load) {
    process.stderr.write(`error: unknown command "${verb}" for "nodelet"\nRun 'nodelet help' for usage.\n`);
    return 1;
  }
  const mod = await load();
  // Before main: `nodelet daemon --help` or `nodelet reset --help` must not start a daemon or clean a node.
  if (helpRequested(rest)) {
    process.stdout.write(verbHelp(verb, mod.FLAGS ?? []));
    return 0;
  }
  return mod.main(rest, verb);
}

/** The verb's lines of the usage, and the flags it accepts. */
function verbHelp(verb: string, flags: FlagSpec[]): string {
  const lines = USAGE.split("\n").filter((l) => l.startsWith(`  ${verb} `) || l === `  ${verb}`);
  const flagText = describeFlags(flags);
  const early = flags.filter((f) => f.name !== "help" && PRE_VERB_FLAGS.some((g) => g.name === f.name)).map((f) => (f.short ? `-${f.short}/--${f.name}` : `--${f.name}`));
  const earlyText = early.length ? `\nThese may also come before the verb (nodelet ${early[0].split("/")[0]} VALUE ${verb} ...): ${early.join(", ")}\n` : "";
  return `Usage:\n${lines.map((l) => `  nodelet ${l.trimStart()}`).join("\n") || `  nodelet ${verb}`}\n${flagText ? `\nFlags:\n${flagText}` : ""}${earlyText}`;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
