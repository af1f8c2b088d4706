/**
 * Admission of the access work against one real daemon, driven by the real kubectl.
 * - ServiceAccount tokens: a pod running kubectl (the host's binary as its image) with its ServiceAccount reaches
 *   the API through the `kubernetes` Service, lists what its Role allows and is refused the rest with the
 *   apiserver's 403; the token read inside the container (with the namespace and the node's CA) authenticates as the
 *   account and stops once the pod is gone; automountServiceAccountToken: false mounts nothing; a missing account
 *   refuses the pod.
 * - RBAC escalation: jane, admin of one namespace, makes Roles and RoleBindings within what she holds and is refused
 *   more with kube-apiserver's text; the cluster admin is not.
 * - Pod Security: restricted refuses a privileged pod with kube-apiserver's message and warns about a Deployment's
 *   template; baseline warns (kubectl's `Warning:` line) and audits without refusing; a bad label is invalid.
 * - ResourceQuota and LimitRange: the pod over quota is refused with kube-apiserver's message, status.used follows
 *   pods in and out, LimitRange defaults fill a pod's resources (and its annotation says so) and its max refuses.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Pod } from "../../src/api/types.js";
import { needsCommand, needsRoot, skipUnless } from "../helpers/root.js";
import { TestDaemon } from "../helpers/daemon.js";
import { waitFor } from "../helpers/wait.js";
import { freePort } from "../helpers/ports.js";

const skip = skipUnless(needsRoot(), needsCommand("kubectl"));
const TOKEN_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe("access admission with kubectl (privileged)", { skip }, () => {
  let d: TestDaemon;
  let dir: string;
  /** The host's kubectl (a static binary): the image of the in-cluster pods holds it at this path. */
  const kubectlBinary = skip ? "" : realpathSync(execFileSync("sh", ["-c", "command -v kubectl"], { encoding: "utf8" }).trim());

  /** kubectl as the admin (the node's kubeconfig), as jane (`as: "jane"`) or with the kubeconfig the args name. */
  const kubectl = (args: string[], opts: { kubeconfig?: boolean; input?: string; as?: string } = {}): Promise<Run> =>
    new Promise((resolve) => {
      const config = opts.kubeconfig === false ? [] : ["--kubeconfig", opts.as ? join(dir, `kubeconfig-${opts.as}`) : join(d.root, "kubeconfig")];
      const child = execFile("kubectl", [...config, "--cache-dir", join(dir, "cache"), ...args], { timeout: 60_000, env: { PATH: process.env.PATH, HOME: dir } }, (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
      child.stdin!.end(opts.input ?? "");
    });
  const ok = async (args: string[], input?: string, as?: string): Promise<string> => {
    const r = await kubectl(args, { input, as });
    assert.equal(r.code, 0, `kubectl ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };
  /** Creates `obj` from stdin; the refusal kubectl prints must be exactly `message`. */
  const refusedCreate = async (obj: unknown, message: string, as?: string): Promise<void> => {
    const r = await kubectl(["create", "-f", "-"], { input: JSON.stringify(obj), as });
    assert.notEqual(r.code, 0, `created: ${r.stdout}`);
    assert.equal(r.stderr.trim(), `Error from server (Forbidden): error when creating "STDIN": ${message}`);
  };
  const podJson = async (ns: string, name: string): Promise<Pod> => JSON.parse(await ok(["get", "pod", name, "-n", ns, "-o", "json"])) as Pod;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "nodelet-access-admission-"));
    d = new TestDaemon("access-admission");
    // The bridge's own address: reachable from the pods (the kubernetes Service's endpoint) and from this host only.
    // jane: a user of the token file, the admin of namespace team (roles and bindings there, and all of edit).
    writeFileSync(join(dir, "tokens.csv"), 'jane-token,jane,1001,"devs"\n', { mode: 0o600 });
    await d.start(["--listen", `10.${d.octet}.0.1:${await freePort()}`, "--token-auth-file", join(dir, "tokens.csv"), "--audit-log-path", join(dir, "audit.log")]);
    const built = await d.cli(["image", "build", "--from-host", kubectlBinary, "--tag", "kubectl:e2e"]);
    assert.equal(built.code, 0, built.stderr);
    await ok(["create", "namespace", "team"]);
    await waitFor("the default ServiceAccount of team", async () => (await kubectl(["get", "serviceaccount", "default", "-n", "team"])).code === 0, 20_000, 100);
    await ok(["create", "rolebinding", "jane-admin", "--clusterrole=admin", "--user=jane", "-n", "team"]);
    const admin = JSON.parse(await ok(["config", "view", "--raw", "--minify", "-o", "json"])) as { clusters: { cluster: Record<string, string> }[] };
    const cluster = admin.clusters[0].cluster;
    const jane = { apiVersion: "v1", kind: "Config", clusters: [{ name: "c", cluster }], users: [{ name: "jane", user: { token: "jane-token" } }], contexts: [{ name: "jane", context: { cluster: "c", user: "jane", namespace: "team" } }], "current-context": "jane" };
    writeFileSync(join(dir, "kubeconfig-jane"), JSON.stringify(jane), { mode: 0o600 });
  });
  after(async () => {
    await d.cleanup();
    rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(d.leftovers(), []);
  });

  test("a pod runs kubectl with its ServiceAccount: what its Role allows is listed, the rest refused", async () => {
    await ok(["create", "serviceaccount", "reader", "-n", "team"]);
    await ok(["create", "role", "pod-reader", "--verb=get,list", "--resource=pods", "-n", "team"]);
    await ok(["create", "rolebinding", "reader", "--role=pod-reader", "--serviceaccount=team:reader", "-n", "team"]);
    const pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "in-cluster", namespace: "team" },
      spec: {
        serviceAccountName: "reader",
        restartPolicy: "Never",
        // No -n: in-cluster kubectl takes its namespace from the mounted namespace file.
        containers: [
          { name: "allowed", image: "kubectl:e2e", command: [kubectlBinary, "get", "pods", "-o", "name"] },
          { name: "refused", image: "kubectl:e2e", command: [kubectlBinary, "get", "secrets"] },
        ],
      },
    };
    await ok(["apply", "-f", "-"], JSON.stringify(pod));
    const admitted = await podJson("team", "in-cluster");
    const volume = admitted.spec.volumes?.find((v) => v.name.startsWith("kube-api-access-"));
    assert.ok(volume?.projected, "the kube-api-access projected volume is added");
    for (const c of admitted.spec.containers) assert.ok(c.volumeMounts?.some((m) => m.name === volume.name && m.mountPath === TOKEN_DIR && m.readOnly), `${c.name} mounts it`);

    await waitFor(
      "both containers of in-cluster to finish",
      async () => (await podJson("team", "in-cluster")).status?.containerStatuses?.filter((s) => s.state?.terminated).length === 2,
      60_000,
      200,
    );
    const statuses = (await podJson("team", "in-cluster")).status!.containerStatuses!;
    const logsOf = (c: string) => ok(["logs", "in-cluster", "-c", c, "-n", "team"]);
    assert.equal(await logsOf("allowed"), "pod/in-cluster\n");
    assert.equal(statuses.find((s) => s.name === "allowed")?.state?.terminated?.exitCode, 0);
    assert.match(
      await logsOf("refused"),
      /^Error from server \(Forbidden\): secrets is forbidden: User "system:serviceaccount:team:reader" cannot list resource "secrets" in API group "" in the namespace "team"$/m,
    );
    assert.equal(statuses.find((s) => s.name === "refused")?.state?.terminated?.exitCode, 1);

    await ok(["delete", "pod", "in-cluster", "-n", "team"]);
  });

  test("the mounted token is the account's, bound to the pod: it stops authenticating once the pod is gone", async () => {
    const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "holder", namespace: "team" }, spec: { serviceAccountName: "reader", containers: [{ name: "c", image: "busybox", command: ["sleep", "3600"] }] } };
    await ok(["apply", "-f", "-"], JSON.stringify(pod));
    await waitFor("holder to run", async () => (await podJson("team", "holder")).status?.phase === "Running", 60_000, 200);
    const read = (file: string) => ok(["exec", "holder", "-n", "team", "--", "cat", `${TOKEN_DIR}/${file}`]);
    assert.equal(await read("namespace"), "team");
    const caFile = join(dir, "ca.crt");
    writeFileSync(caFile, await read("ca.crt"));
    assert.equal(readFileSync(caFile, "utf8"), readFileSync(join(d.root, "pki", "ca.crt"), "utf8"), "ca.crt is the node's CA");
    const token = await read("token");
    const config = JSON.parse(await ok(["config", "view", "--minify", "-o", "json"])) as { clusters: { cluster: { server: string } }[] };
    // A kubeconfig of the pod's credentials (the token stays out of argv).
    const podConfig = join(dir, "kubeconfig-pod");
    const cluster = { server: config.clusters[0].cluster.server, "certificate-authority": caFile };
    writeFileSync(podConfig, JSON.stringify({ apiVersion: "v1", kind: "Config", clusters: [{ name: "c", cluster }], users: [{ name: "u", user: { token } }], contexts: [{ name: "x", context: { cluster: "c", user: "u" } }], "current-context": "x" }), { mode: 0o600 });
    const asPod = (args: string[]) => kubectl(["--kubeconfig", podConfig, ...args], { kubeconfig: false });
    const whoami = await asPod(["auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"]);
    assert.equal(whoami.stdout, "system:serviceaccount:team:reader", whoami.stderr);
    await ok(["delete", "pod", "holder", "-n", "team", "--grace-period=1"]);
    await waitFor("holder to be gone", async () => (await kubectl(["get", "pod", "holder", "-n", "team"])).code !== 0, 60_000, 200);
    const gone = await asPod(["auth", "whoami"]);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /You must be logged in to the server \(Unauthorized\)/);
  });

  test("automountServiceAccountToken: false mounts nothing; a missing ServiceAccount refuses the pod", async () => {
    const pod = (name: string, spec: Record<string, unknown>) =>
      JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name, namespace: "team" }, spec: { containers: [{ name: "c", image: "busybox" }], ...spec } });
    const off = JSON.parse(await ok(["create", "--dry-run=server", "-o", "json", "-f", "-"], pod("no-token", { automountServiceAccountToken: false }))) as Pod;
    assert.deepEqual(off.spec.volumes ?? [], []);
    assert.equal(off.spec.containers[0].volumeMounts, undefined);
    const on = JSON.parse(await ok(["create", "--dry-run=server", "-o", "json", "-f", "-"], pod("token", {}))) as Pod;
    assert.equal(on.spec.serviceAccountName, "default");
    assert.match(on.spec.volumes?.[0]?.name ?? "", /^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    const ghost = await kubectl(["create", "-f", "-"], { input: pod("ghost", { serviceAccountName: "ghost" }) });
    assert.notEqual(ghost.code, 0);
    assert.equal(ghost.stderr.trim(), 'Error from server (Forbidden): error when creating "STDIN": pods "ghost" is forbidden: error looking up service account team/ghost: serviceaccount "ghost" not found');
  });

  describe("RBAC escalation prevention: jane, admin of team, grants only what she holds", () => {
    const G = "rbac.authorization.k8s.io";
    const HOLDS_NOT = 'user "jane" (groups=["devs" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:';
    const role = (name: string, rules: unknown[]) => ({ apiVersion: `${G}/v1`, kind: "Role", metadata: { name, namespace: "team" }, rules });
    const binding = (name: string, roleName: string) => ({
      apiVersion: `${G}/v1`,
      kind: "RoleBinding",
      metadata: { name, namespace: "team" },
      roleRef: { apiGroup: G, kind: "ClusterRole", name: roleName },
      subjects: [{ kind: "User", apiGroup: G, name: "jane" }],
    });

    test("a Role within her rights is made; one with more is refused as kube-apiserver words it", async () => {
      await ok(["create", "-f", "-"], JSON.stringify(role("pod-lister", [{ verbs: ["get", "list"], apiGroups: [""], resources: ["pods"] }])), "jane");
      await refusedCreate(
        role("node-reader", [{ verbs: ["get", "list"], apiGroups: [""], resources: ["nodes", "pods"] }]),
        `roles.rbac.authorization.k8s.io "node-reader" is forbidden: ${HOLDS_NOT}\n{APIGroups:[""], Resources:["nodes"], Verbs:["get" "list"]}`,
        "jane",
      );
    });

    test("she may bind edit and view, not cluster-admin; the admin may", async () => {
      await ok(["create", "-f", "-"], JSON.stringify(binding("jane-edit", "edit")), "jane");
      await refusedCreate(
        binding("jane-root", "cluster-admin"),
        `rolebindings.rbac.authorization.k8s.io "jane-root" is forbidden: ${HOLDS_NOT}\n{APIGroups:["*"], Resources:["*"], Verbs:["*"]}\n{NonResourceURLs:["*"], Verbs:["*"]}`,
        "jane",
      );
      const r = await kubectl(["auth", "can-i", "get", "nodes"], { as: "jane" });
      assert.equal(r.stdout.trim(), "no", "nothing was granted");
      await ok(["create", "-f", "-"], JSON.stringify(binding("jane-root", "cluster-admin")));
      await ok(["delete", "rolebinding", "jane-root", "-n", "team"]);
    });
  });

  describe("Pod Security Admission", () => {
    const privileged = (ns: string) => ({ apiVersion: "v1", kind: "Pod", metadata: { name: "priv", namespace: ns }, spec: { containers: [{ name: "c", image: "busybox", securityContext: { privileged: true } }] } });

    test("restricted refuses a privileged pod with kube-apiserver's message; a compliant pod is admitted", async () => {
      await ok(["create", "namespace", "secure"]);
      await ok(["label", "namespace", "secure", "pod-security.kubernetes.io/enforce=restricted"]);
      await refusedCreate(
        privileged("secure"),
        'pods "priv" is forbidden: violates PodSecurity "restricted:latest": privileged (container "c" must not set securityContext.privileged=true), allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
      );
      const compliant = {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "ok", namespace: "secure" },
        spec: {
          securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" } },
          containers: [{ name: "c", image: "busybox", command: ["sleep", "1"], securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } }],
        },
      };
      // The ServiceAccount volume the pod gets is a projected one: restricted allows it.
      const r = await kubectl(["create", "--dry-run=server", "-o", "name", "-f", "-"], { input: JSON.stringify(compliant) });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, "");
      // A Deployment is never refused; its template is warned about (warn follows the stricter enforce label).
      const deploy = await kubectl(["create", "deployment", "web", "--image=busybox", "-n", "secure", "--dry-run=server"]);
      assert.equal(deploy.code, 0, deploy.stderr);
      assert.match(deploy.stderr, /^Warning: would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false \(container "busybox" must set securityContext.allowPrivilegeEscalation=false\), /m);
    });

    test("baseline warns and audits without refusing; a bad label is invalid", async () => {
      await ok(["create", "namespace", "relaxed"]);
      await ok(["label", "namespace", "relaxed", "pod-security.kubernetes.io/warn=baseline", "pod-security.kubernetes.io/audit=baseline"]);
      const r = await kubectl(["create", "--dry-run=server", "-f", "-"], { input: JSON.stringify(privileged("relaxed")) });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, 'Warning: would violate PodSecurity "baseline:latest": privileged (container "c" must not set securityContext.privileged=true)\n');
      await waitFor("the audit event with the violation", () => readFileSync(join(dir, "audit.log"), "utf8").includes('"pod-security.kubernetes.io/audit-violations":"would violate PodSecurity \\"baseline:latest\\": privileged'), 10_000, 100);
      const bad = await kubectl(["label", "namespace", "relaxed", "pod-security.kubernetes.io/enforce=strict"]);
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /The Namespace "relaxed" is invalid: metadata.labels\[pod-security.kubernetes.io\/enforce\]: Invalid value: "strict": must be one of privileged, baseline, restricted/);
    });
  });

  describe("LimitRange and ResourceQuota", () => {
    const sleeper = (name: string, resources?: Record<string, unknown>) => ({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace: "quota" },
      spec: { terminationGracePeriodSeconds: 1, containers: [{ name: "c", image: "busybox", command: ["sleep", "3600"], ...(resources ? { resources } : {}) }] },
    });
    const used = async () => JSON.parse((await ok(["get", "resourcequota", "compute", "-n", "quota", "-o", "jsonpath={.status.used}"])) || "{}") as Record<string, string>;

    test("the pod over quota is refused as kube-apiserver words it; LimitRange defaults fill what a pod leaves out", async () => {
      await ok(["create", "namespace", "quota"]);
      await ok(["create", "quota", "compute", "--hard=pods=3,requests.cpu=1,requests.memory=1Gi", "-n", "quota"]);
      await waitFor("the quota's status", async () => (await used())["requests.cpu"] === "0", 20_000, 100);
      const limits = { apiVersion: "v1", kind: "LimitRange", metadata: { name: "defaults", namespace: "quota" }, spec: { limits: [{ type: "Container", defaultRequest: { cpu: "250m", memory: "128Mi" }, default: { cpu: "500m", memory: "256Mi" }, max: { cpu: "2" } }] } };
      await ok(["create", "-f", "-"], JSON.stringify(limits));
      await ok(["create", "-f", "-"], JSON.stringify(sleeper("one", { requests: { cpu: "600m", memory: "256Mi" } })));
      assert.deepEqual(await used(), { pods: "1", "requests.cpu": "600m", "requests.memory": "256Mi" });
      await refusedCreate(sleeper("two", { requests: { cpu: "600m", memory: "256Mi" } }), 'pods "two" is forbidden: exceeded quota: compute, requested: requests.cpu=600m, used: requests.cpu=600m, limited: requests.cpu=1');
      await refusedCreate(sleeper("huge", { requests: { cpu: "100m" }, limits: { cpu: "3" } }), 'pods "huge" is forbidden: maximum cpu usage per Container is 2, but limit is 3');
      const three = JSON.parse(await ok(["create", "-o", "json", "-f", "-"], JSON.stringify(sleeper("three")))) as Pod;
      assert.deepEqual(three.spec.containers[0].resources, { limits: { cpu: "500m", memory: "256Mi" }, requests: { cpu: "250m", memory: "128Mi" } });
      assert.equal(three.metadata.annotations?.["kubernetes.io/limit-ranger"], "LimitRanger plugin set: cpu, memory request for container c; cpu, memory limit for container c");
      assert.deepEqual(await used(), { pods: "2", "requests.cpu": "850m", "requests.memory": "384Mi" });
      // The controller gives the room back when a pod goes.
      await ok(["delete", "pod", "one", "-n", "quota", "--wait=false"]);
      await waitFor("the quota to recount", async () => (await used())["requests.cpu"] === "250m", 60_000, 200);
      const table = await ok(["get", "quota", "-n", "quota"]);
      assert.match(table, /^compute\s+\S+\s+pods: 1\/3, requests.cpu: 250m\/1, requests.memory: 128Mi\/1Gi\s*$/m);
    });
  });
});
