/**
 * A process of hollow nodes for the scale benchmark (kubemark runs its hollow nodes as pods; here each pool is a
 * process): `node dist/bench/hollow-nodes.js --kubeconfig FILE --first I --count N`. Nodes hollow-I … hollow-(I+N-1)
 * share one RemoteStore (one worker thread for their blocking calls, one API watch each for their pods), register,
 * heartbeat and run their pods on paper (test/helpers/hollow-node.ts). Prints "hollow nodes ready" once every Node is
 * registered; SIGTERM stops them and exits.
 */
import { readKubeconfigEndpoint } from "../src/store/remote-kubeconfig.js";
import { RemoteStore } from "../src/store/remote-store.js";
import { HollowNode, hollowName } from "../test/helpers/hollow-node.js";

function arg(name: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0 || !process.argv[i + 1]) throw new Error(`hollow-nodes: --${name} is required`);
  return process.argv[i + 1];
}

function main(): void {
  const first = Number(arg("first"));
  const count = Number(arg("count"));
  const store = new RemoteStore({ endpoint: readKubeconfigEndpoint(arg("kubeconfig")), log: (m) => process.stderr.write(`${m}\n`) });
  const nodes: HollowNode[] = [];
  for (let i = first; i < first + count; i++) {
    const node = new HollowNode(store, hollowName(i), `10.200.${Math.floor(i / 250)}.${(i % 250) + 1}`);
    node.start();
    nodes.push(node);
  }
  process.stdout.write(`hollow nodes ready: ${count}\n`);
  process.once("SIGTERM", () => {
    for (const n of nodes) n.stop();
    store.close();
    process.exit(0);
  });
}

main();
