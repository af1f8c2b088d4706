/**
 * A third real client beside kubectl and python3-kubernetes: @kubernetes/client-node 1.x (the newest line that runs
 * on Node 20) lists, creates, watches, reads logs and execs (its WebSocket channel protocol) against nodelet, once
 * with a ServiceAccount token bound to `edit` in its namespace (refused elsewhere with the apiserver's 403) and once
 * with the admin client certificate, and adds an ephemeral container (kubectl debug's PATCH) only with the latter.
 * Set up as access-python.test.ts (test/helpers/access-fixture.ts): one in-process API server over HTTPS.
 */
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { inspect } from "node:util";
import { after, before, describe, it } from "node:test";
import { ApiException, CoreV1Api, Exec, KubeConfig, PatchStrategy, setHeaderOptions, Watch, type V1ConfigMap, type V1Status } from "@kubernetes/client-node";
import { startAccessFixture, type AccessFixture } from "../helpers/access-fixture.js";
import { needsCommand, skipUnless } from "../helpers/root.js";

const skip = skipUnless(needsCommand("openssl"));
if (skip) console.log(`# skipping client-node e2e: ${skip}`);

type Credentials = { token: string } | { certData: string; keyData: string };

/** Collects what a Writable is given, as text. */
function sink(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk);
      done();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString() };
}

describe("@kubernetes/client-node against nodelet", { skip }, () => {
  let f: AccessFixture;

  function kubeconfig(creds: Credentials): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: "node", server: f.server, caData: Buffer.from(f.pki.ca.cert).toString("base64"), skipTLSVerify: false }],
      users: [
        "token" in creds
          ? { name: "u", token: creds.token }
          : { name: "u", certData: Buffer.from(creds.certData).toString("base64"), keyData: Buffer.from(creds.keyData).toString("base64") },
      ],
      contexts: [{ name: "c", cluster: "node", user: "u", namespace: "team" }],
      currentContext: "c",
    });
    return kc;
  }

  /** Watches ConfigMaps in `team` from resourceVersion 0 until `name` is seen; the events as "TYPE name". */
  async function watchUntil(kc: KubeConfig, name: string): Promise<string[]> {
    const seen: string[] = [];
    let abort: AbortController | undefined;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`watch did not see ${name}: ${seen.join(", ")}`)), 20_000);
      new Watch(kc)
        .watch("/api/v1/namespaces/team/configmaps", { resourceVersion: "0", timeoutSeconds: 10 }, (type: string, obj: V1ConfigMap) => {
          seen.push(`${type} ${obj.metadata?.name}`);
          if (obj.metadata?.name === name) {
            clearTimeout(timer);
            resolve();
          }
        }, (err: unknown) => {
          if (err && !seen.some((s) => s.endsWith(` ${name}`))) {
            clearTimeout(timer);
            reject(err instanceof Error ? err : new Error(`watch ended: ${inspect(err)}`));
          }
        })
        .then((a) => (abort = a), reject);
    });
    abort?.abort();
    return seen;
  }

  /** `echo hi` in web's container over the client's exec WebSocket: stdout and the final Status. */
  async function execEcho(kc: KubeConfig): Promise<{ out: string; status: V1Status }> {
    const out = sink();
    const status = await new Promise<V1Status>((resolve, reject) => {
      new Exec(kc).exec("team", "web", "c", ["echo", "hi"], out.stream, null, null, false, resolve).catch(reject);
    });
    return { out: out.text(), status };
  }

  /** The code and Status of a refused request (the generated client keeps no body for a 401, only its message). */
  async function refusal(p: Promise<unknown>): Promise<{ code: number; reason?: string; message: string }> {
    try {
      await p;
    } catch (err) {
      if (!(err instanceof ApiException)) throw err;
      if (err.body === undefined) return { code: err.code, message: err.message };
      const body = JSON.parse(String(err.body)) as { reason: string; message: string };
      return { code: err.code, reason: body.reason, message: body.message };
    }
    throw new Error("the request was allowed");
  }

  /** kubectl debug's request: a strategic merge patch of pods/ephemeralcontainers. */
  const addDebugger = (core: CoreV1Api, name: string) =>
    core.patchNamespacedPodEphemeralcontainers(
      { name: "web", namespace: "team", body: { spec: { ephemeralContainers: [{ name, image: "busybox", stdin: true, tty: true, targetContainerName: "c" }] } } },
      setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch),
    );

  /** The steps both identities take in `team`. */
  async function session(kc: KubeConfig, cm: string): Promise<void> {
    const core = kc.makeApiClient(CoreV1Api);
    const pods = await core.listNamespacedPod({ namespace: "team" });
    assert.deepEqual(pods.items.map((p) => p.metadata?.name), ["web"]);
    const created = await core.createNamespacedConfigMap({ namespace: "team", body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: cm }, data: { k: "v" } } });
    assert.equal(created.metadata?.name, cm);
    assert.ok(created.metadata?.uid, "the created object comes back as stored");
    const watched = await watchUntil(kc, cm);
    assert.ok(watched.includes(`ADDED ${cm}`), watched.join(", "));
    assert.equal(await core.readNamespacedPodLog({ name: "web", namespace: "team" }), "from the pod\n");
    const ex = await execEcho(kc);
    assert.equal(ex.out, "echo hi\n");
    assert.equal(ex.status.status, "Success");
  }

  before(async () => {
    f = await startAccessFixture("nodelet-client-node-");
  });
  after(async () => {
    await f?.close();
  });

  it("with a ServiceAccount token: list, create, watch, logs and exec in its namespace; 403 elsewhere", async () => {
    const kc = kubeconfig({ token: f.botToken() });
    await session(kc, "from-bot");
    const core = kc.makeApiClient(CoreV1Api);
    assert.deepEqual(await refusal(core.listNamespacedPod({ namespace: "default" })), {
      code: 403,
      reason: "Forbidden",
      message: 'pods is forbidden: User "system:serviceaccount:team:bot" cannot list resource "pods" in API group "" in the namespace "default"',
    });
    assert.equal((await refusal(core.listNode())).code, 403);
    // `edit` does not grant pods/ephemeralcontainers (as upstream's default roles): RBAC sees the subresource.
    assert.deepEqual(await refusal(addDebugger(core, "debugger-bot")), {
      code: 403,
      reason: "Forbidden",
      message: 'pods "web" is forbidden: User "system:serviceaccount:team:bot" cannot patch resource "pods/ephemeralcontainers" in API group "" in the namespace "team"',
    });
  });

  it("with the admin client certificate: the same, and other namespaces and nodes too", async () => {
    const kc = kubeconfig({ certData: f.pki.admin.cert, keyData: f.pki.admin.key });
    await session(kc, "from-admin");
    const core = kc.makeApiClient(CoreV1Api);
    assert.ok(Array.isArray((await core.listNamespacedPod({ namespace: "default" })).items));
    assert.ok(Array.isArray((await core.listNode()).items), "nodes are listed, not refused");
    const pod = await addDebugger(core, "debugger-admin");
    assert.deepEqual(pod.spec?.ephemeralContainers?.map((c) => [c.name, c.targetContainerName]), [["debugger-admin", "c"]]);
  });

  it("a forged token is refused with 401", async () => {
    const core = kubeconfig({ token: "not-a-token" }).makeApiClient(CoreV1Api);
    const r = await refusal(core.listNamespacedPod({ namespace: "team" }));
    assert.equal(r.code, 401);
    assert.match(r.message, /^HTTP-Code: 401\nMessage: Unauthorized/);
  });
});
