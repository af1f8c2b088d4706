/**
 * Admission of the access work against one real daemon, driven by the real kubectl. ServiceAccount tokens: a pod
 * running kubectl (the host's binary as its image) with its ServiceAccount reaches the API through the `kubernetes`
 * Service, lists what its Role allows and is refused the rest with the apiserver's 403; its token is bound to the
 * pod (it stops authenticating once the pod is gone) and read from inside the container with the namespace and the
 * node's CA; automountServiceAccountToken: false mounts nothing; a missing
 * account refuses the pod as upstream does.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Pod } from "../../src/api/types.js";
import { needsCommand, needsRoot, skipUnless } from "../helpers/root.js";
import { TestDaemon } from "../helpers/daemon.js";
import { waitFor } from "../helpers/wait.js";

const skip = skipUnless(needsRoot(), needsCommand("kubectl"));
const TOKEN_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

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

  const kubectl = (args: string[], opts: { kubeconfig?: boolean; input?: string } = {}): Promise<Run> =>
    new Promise((resolve) => {
      const config = opts.kubeconfig === false ? [] : ["--kubeconfig", join(d.root, "kubeconfig")];
      const child = execFile("kubectl", [...config, "--cache-dir", join(dir, "cache"), ...args], { timeout: 60_000, env: { PATH: process.env.PATH, HOME: dir } }, (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
      child.stdin!.end(opts.input ?? "");
    });
  const ok = async (args: string[], input?: string): Promise<string> => {
    const r = await kubectl(args, { input });
    assert.equal(r.code, 0, `kubectl ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };
  const podJson = async (ns: string, name: string): Promise<Pod> => JSON.parse(await ok(["get", "pod", name, "-n", ns, "-o", "json"])) as Pod;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "nodelet-access-admission-"));
    d = new TestDaemon("access-admission");
    // The bridge's own address: reachable from the pods (the kubernetes Service's endpoint) and from this host only.
    await d.start(["--listen", `10.${d.octet}.0.1:${await freePort()}`]);
    const built = await d.cli(["image", "build", "--from-host", kubectlBinary, "--tag", "kubectl:e2e"]);
    assert.equal(built.code, 0, built.stderr);
    await ok(["create", "namespace", "team"]);
    await waitFor("the default ServiceAccount of team", async () => (await kubectl(["get", "serviceaccount", "default", "-n", "team"])).code === 0, 20_000, 100);
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
});
