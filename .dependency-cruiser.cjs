/**
 * The layer order of DESIGN.md, checked on every `make test` (`make deps-check`): a module may import only the
 * modules listed for it below, type-only imports included (a type is coupling too), and no import cycle is allowed
 * anywhere in src/. Tests and benches may import anything.
 *
 *   api, wire, sys, metrics   the bottom: pure Kubernetes types and rules; protocols with no Kubernetes knowledge;
 *                             the one kernel boundary; Prometheus metrics and their text format. None imports
 *                             another module of src/.
 *   store                     objects and watches
 *   images, auth              rooms to come: registry/blob store; authenticators, RBAC, admission
 *   apiserver, client         the two ends of the API: both speak wire/, neither knows the other (the socket path
 *                             they meet on is wire/defaults.ts)
 *   network, storage          the pod's network and volumes, driven by the runtime
 *   runtime                   sandboxes and containers (uses network, storage, images)
 *   kubelet                   the sync loop over the runtime
 *   proxy, dns                services on the node (proxy programs network's firewall)
 *   controllers, scheduler    read and write API objects only (DESIGN.md: the same code runs in a control plane)
 *   ui                        the node picture
 *   cli                       verbs: talk to the daemon through client/ only
 *   cmd                       entry points and wiring: may import anything; nothing imports it
 *
 * A new folder under src/ must be added here before it can import anything (rule "unknown-module").
 */
const ALLOWED = {
  api: [],
  wire: [],
  metrics: [],
  sys: [],
  store: ["api", "sys"],
  images: ["api", "sys", "wire"],
  auth: ["api", "sys", "store"],
  apiserver: ["api", "wire", "sys", "store", "auth", "metrics"],
  client: ["api", "wire", "sys"],
  network: ["api", "sys"],
  storage: ["api", "sys"],
  runtime: ["api", "sys", "network", "storage", "images"],
  kubelet: ["api", "sys", "store", "runtime", "storage", "images", "metrics"],
  proxy: ["api", "sys", "store", "network"],
  dns: ["api", "sys", "store"],
  controllers: ["api", "store"],
  scheduler: ["api", "store"],
  ui: ["api", "wire", "store"],
  cli: ["api", "wire", "sys", "client"],
  cmd: null, // anything
};

const MODULES = Object.keys(ALLOWED);
const alternation = (names) => names.join("|");

const layerRules = Object.entries(ALLOWED)
  .filter(([, allowed]) => allowed !== null)
  .map(([mod, allowed]) => ({
    name: `layer-${mod}`,
    comment: `src/${mod}/ may import only ${allowed.length ? allowed.map((m) => `src/${m}/`).join(", ") : "nothing else in src/"} (DESIGN.md layer order)`,
    severity: "error",
    from: { path: `^src/${mod}/` },
    to: { path: "^src/", pathNot: `^src/(${alternation([mod, ...allowed])})/` },
  }));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: "unknown-module",
      comment: `a folder under src/ that is not a layer of .dependency-cruiser.cjs (known: ${MODULES.join(", ")})`,
      severity: "error",
      from: { path: "^src/", pathNot: `^src/(${alternation(MODULES)})/` },
      to: {},
    },
    {
      name: "no-circular",
      comment: "import cycles, within a module or across modules",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "api-is-pure",
      comment: "src/api/ does no I/O: no file system, processes, sockets or host facts",
      severity: "error",
      from: { path: "^src/api/" },
      to: { dependencyTypes: ["core"], path: "^(node:)?(fs|fs/promises|child_process|http|https|http2|tls|dgram|dns|os|worker_threads|cluster)$" },
    },
    {
      name: "processes-only-in-sys",
      comment: "only src/sys/ starts processes (DESIGN.md rule 1: every command goes through the Runner)",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/sys/" },
      to: { dependencyTypes: ["core"], path: "^(node:)?child_process$" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(test|bench|dist|node_modules)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
  },
};
