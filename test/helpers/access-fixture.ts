/**
 * The set-up the real-client e2e files share (python3-kubernetes, @kubernetes/client-node): an in-process API server
 * over HTTPS with the node's PKI (admin client certificate), a fake PodIO whose logs say "from the pod", namespace
 * `team` with a Running pod `web` (defaulted as the API server stores it), and ServiceAccount `bot` bound to `edit`
 * there. close() stops the server and removes the directory.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { admitCreate } from "../../src/api/admission.js";
import type { ServiceAccount } from "../../src/api/service-account.js";
import { ensureNodePki, type NodePki } from "../../src/auth/pki.js";
import { HostRunner } from "../../src/sys/runner.js";
import { startTestServer, testPod, type TestServer } from "../unit/apiserver/harness.js";

export interface AccessFixture {
  dir: string;
  t: TestServer;
  pki: NodePki;
  /** https://127.0.0.1:PORT */
  server: string;
  /** A token of ServiceAccount team/bot (edit in team), valid for 10 minutes. */
  botToken(): string;
  close(): Promise<void>;
}

export async function startAccessFixture(prefix: string): Promise<AccessFixture> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    const pki = await ensureNodePki(join(dir, "pki"), [], new HostRunner());
    const t = await startTestServer({ tcp: { host: "127.0.0.1", port: 0, token: "", cert: pki.serving.cert, key: pki.serving.key, clientCA: pki.ca.cert }, fake: { logs: { c: "from the pod\n" } } });
    t.store.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: "team" } });
    // Defaulted as the API server would have stored it: an ephemeral container is validated with the whole spec.
    t.store.create(admitCreate(testPod("web", { ns: "team" }), { nodeName: "node1" }));
    const web = t.store.get("Pod", "team", "web")!;
    t.store.update({ ...web, status: { phase: "Running" } } as typeof web, { subresource: "status" });
    t.store.create<ServiceAccount>({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "bot", namespace: "team" } });
    t.store.create({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: { name: "bot-edit", namespace: "team" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "edit" }, subjects: [{ kind: "ServiceAccount", name: "bot", namespace: "team" }] } as never);
    return {
      dir,
      t,
      pki,
      server: `https://127.0.0.1:${t.server.tcpAddress()!.port}`,
      botToken: () => t.server.serviceAccountTokens.issue({ serviceAccount: t.store.get<ServiceAccount>("ServiceAccount", "team", "bot")!, expirationSeconds: 600 }).token,
      async close() {
        await t.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
