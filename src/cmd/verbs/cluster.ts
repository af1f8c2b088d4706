/**
 * `nodelet cluster up|status|down|lb [--root DIR]`: a whole cluster on this host (src/cmd/cluster/): etcd members,
 * control-plane replicas (behind `nodelet cluster lb` when several) and N node agents, each node in network and
 * mount namespaces of its own on a link the cluster owns.
 */
import { resolve } from "node:path";
import { boolFlag, flag, intFlag, parseArgs, UsageError, type FlagSpec } from "../../cli/args.js";
import { report } from "../../cli/context.js";
import { HostRunner } from "../../sys/runner.js";
import { readJsonState } from "../../sys/json-state.js";
import { DEFAULT_CLUSTER_ROOT, manifestFile, MANIFEST_VERSION, replicasOf, serverOf, type ClusterManifest } from "../cluster/plan.js";

export const FLAGS: FlagSpec[] = [
  { name: "root", value: true, help: `the cluster's directory: manifest, roots, etcd data, logs, kubeconfig (default ${DEFAULT_CLUSTER_ROOT})` },
  { name: "nodes", value: true, help: "up: how many node agents (default 1)" },
  { name: "etcd-members", value: true, help: "up: how many etcd members (default 1)" },
  { name: "control-planes", value: true, help: "up: how many control-plane replicas on the etcd, elected through Leases; with more than one a load balancer on the link's first address fronts them (default 1)" },
  { name: "control-plane-arg", value: true, multiple: true, help: "up: a flag for every replica, NAME=VALUE (e.g. node-monitor-grace-period=20s)" },
  { name: "link-cidr", value: true, help: "up: the link's subnet (the control plane, or the balancer before several replicas, on its first address; node i on the (10+i)th); default the first 10.X.0.0/24 not routed here, X from 250 down" },
  { name: "cluster-cidr", value: true, help: "up: every pod address in the cluster (default 10.244.0.0/16)" },
  { name: "service-cidr", value: true, help: "up: Service cluster IPs (default 10.96.0.0/12)" },
  { name: "output", short: "o", value: true, help: "status: json for the ClusterStatus object (default a table)" },
  { name: "listen", value: true, help: "lb: HOST:PORT the balancer listens on" },
  { name: "backend", value: true, multiple: true, help: "lb: HOST:PORT of a control-plane replica" },
  { name: "verbose", short: "v", value: false, help: "log every host command" },
  { name: "help", short: "h", value: false },
];

function readManifest(root: string): ClusterManifest | undefined {
  const m = readJsonState<ClusterManifest>(manifestFile(root), "cluster");
  if (m && m.version !== MANIFEST_VERSION) throw new Error(`${manifestFile(root)}: manifest version ${m.version}, this nodelet reads ${MANIFEST_VERSION}`);
  return m;
}

export async function main(argv: string[]): Promise<number> {
  try {
    const p = parseArgs(argv, FLAGS);
    const log = (m: string) => process.stderr.write(`${m}\n`);
    const runner = new HostRunner(undefined, boolFlag(p, "verbose") ? log : undefined);
    const root = (flag(p, "root") ?? DEFAULT_CLUSTER_ROOT).replace(/\/+$/, "") || "/";
    const [sub, ...extra] = p.positional;
    if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
    switch (sub) {
      case "up": {
        const { ClusterInputError, clusterUp, preflight } = await import("../cluster/up.js");
        let plan;
        try {
          plan = await preflight({
            root,
            nodes: intFlag(p, "nodes") ?? 1,
            etcdMembers: intFlag(p, "etcd-members") ?? 1,
            controlPlanes: intFlag(p, "control-planes") ?? 1,
            controlPlaneArgs: p.flags.get("control-plane-arg") ?? [],
            linkCIDR: flag(p, "link-cidr"),
            clusterCIDR: flag(p, "cluster-cidr") ?? "10.244.0.0/16",
            serviceCIDR: flag(p, "service-cidr") ?? "10.96.0.0/12",
            // The processes run this same nodelet: the script this command was started as (bin/nodelet, or the modules).
            nodelet: { node: process.execPath, script: resolve(process.argv[1]) },
          });
        } catch (err) {
          if (err instanceof ClusterInputError) throw new UsageError(err.message);
          throw err;
        }
        const m = await clusterUp(runner, plan, log);
        const replicas = replicasOf(m).length;
        process.stdout.write(`cluster up: ${m.etcd.length} etcd member(s), control plane ${serverOf(m)}${replicas > 1 ? ` (${replicas} replicas)` : ""}, ${m.nodes.length} node(s) Ready\nkubectl: KUBECONFIG=${m.kubeconfig} kubectl get nodes\n`);
        return 0;
      }
      case "lb": {
        const listen = flag(p, "listen");
        if (listen === undefined) throw new UsageError("--listen: required (HOST:PORT)");
        const { parseBackend, startBalancer } = await import("../cluster/lb.js");
        let o;
        try {
          o = { listen: parseBackend(listen, "--listen"), backends: (p.flags.get("backend") ?? []).map((b) => parseBackend(b, "--backend")) };
          if (o.backends.length === 0) throw new Error("--backend: at least one replica (HOST:PORT) is needed");
        } catch (err) {
          throw new UsageError((err as Error).message);
        }
        const lb = await startBalancer({ ...o, log });
        log(`nodelet cluster lb ready: ${lb.address.host}:${lb.address.port} before ${o.backends.map((b) => `${b.host}:${b.port}`).join(", ")}`);
        await new Promise<void>((resolve) => {
          process.once("SIGTERM", resolve);
          process.once("SIGINT", resolve);
        });
        await lb.close();
        return 0;
      }
      case "status": {
        const output = flag(p, "output");
        if (output !== undefined && output !== "json") throw new UsageError(`--output: "${output}" is not supported (json, or none for the table)`);
        const m = readManifest(root);
        if (!m) throw new UsageError(`no cluster at ${root} (${manifestFile(root)} does not exist)`);
        const { clusterStatus, formatStatus } = await import("../cluster/status.js");
        const s = await clusterStatus(m);
        process.stdout.write(output === "json" ? JSON.stringify(s, null, 2) + "\n" : formatStatus(s));
        return s.healthy ? 0 : 1;
      }
      case "down": {
        const m = readManifest(root);
        if (!m) {
          process.stdout.write(`cluster down: no cluster at ${root}; nothing to remove\n`);
          return 0;
        }
        const { clusterDown } = await import("../cluster/down.js");
        await clusterDown(runner, m, log);
        process.stdout.write(`cluster down: ${root} removed (processes, namespaces, link, cgroups, mounts, etcd data)\n`);
        return 0;
      }
      default:
        throw new UsageError(sub ? `unknown subcommand "${sub}"` : "missing subcommand (up, status, down or lb)");
    }
  } catch (err) {
    return report(err);
  }
}
