/**
 * `nodelet get all`: the category expands to its resources in kubectl's order, each kind printed as its own table
 * with its header, a blank line between, names as `deployment.apps/web`; `describe all` describes them all (the CLI
 * run against a test server).
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { resourcesInCategory } from "../../../src/api/resources.js";
import { startTestServer, type TestServer } from "../apiserver/harness.js";

const NODELET = fileURLToPath(new URL("../../../src/cmd/nodelet.js", import.meta.url));

describe("nodelet get all", () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  const cli = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [NODELET, ...args], { env: { ...process.env, NODELET_SOCKET: t.socketPath }, timeout: 60_000 }, (err, stdout, stderr) => resolve({ code: err ? 1 : 0, stdout, stderr }));
    });

  it("the all category in kubectl's order", () => {
    assert.deepEqual(resourcesInCategory("all").map((r) => `${r.plural}${r.group ? `.${r.group}` : ""}`), [
      "pods",
      "services",
      "daemonsets.apps",
      "deployments.apps",
      "replicasets.apps",
      "statefulsets.apps",
      "horizontalpodautoscalers.autoscaling",
      "cronjobs.batch",
      "jobs.batch",
    ]);
  });

  it("prints each kind with its header, a blank line between, kind-qualified names; describe all every object", async () => {
    const api = t.server.objectApi();
    api.create({ apiVersion: "v1", kind: "Service", metadata: { name: "web", namespace: "default" }, spec: { ports: [{ port: 80 }] } });
    api.create({ apiVersion: "batch/v1", kind: "CronJob", metadata: { name: "tick", namespace: "default" }, spec: { schedule: "*/5 * * * *", jobTemplate: { spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox" }] } } } } } });
    const r = await cli(["get", "all"]);
    assert.equal(r.code, 0, r.stderr);
    const described = await cli(["describe", "all"]);
    assert.equal(described.code, 0, described.stderr);
    assert.match(described.stdout, /^Name:\s+web\n[\s\S]*\n\nName:\s+tick\n[\s\S]*Schedule:\s+\*\/5 \* \* \* \*\n/, "describe all: every kind");
    assert.match(r.stdout, /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE\nservice\/web\s+ClusterIP\s+\S+\s+<none>\s+80\/TCP\s+\S+\n\nNAME\s+SCHEDULE\s+TIMEZONE\s+SUSPEND\s+ACTIVE\s+LAST SCHEDULE\s+AGE\ncronjob\.batch\/tick\s+\*\/5 \* \* \* \*\s+<none>\s+False\s+0\s+<none>\s+\S+\n$/);
  });
});
