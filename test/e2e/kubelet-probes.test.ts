/**
 * Probes with real containers (privileged): liveness restarts with kubectl's events, readiness drives READY,
 * a startup probe holds the others back, httpGet and tcpSocket reach pods without a pod IP through their network
 * namespace, grpc reaches a hostNetwork pod, and an exec probe that hangs is killed with its whole process tree
 * without leaving a zombie (kubernetes#81042, #110070).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { createServer, type Http2Server } from "node:http2";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { needsRoot } from "../helpers/root.js";
import { processesInPidNamespace } from "../helpers/procs.js";
import { eventually, suiteDaemon, type TestDaemon } from "../helpers/daemon.js";

const skip = needsRoot();

describe("kubelet probes (privileged)", { skip }, () => {
  const d = suiteDaemon("probes");

  const get = (name: string) => d.pod(name);
  const events = (name: string) => d.events(name);
  const apply = async (name: string, yaml: string) => {
    const file = join(d.root, `${name}.yaml`);
    writeFileSync(file, yaml);
    const r = await d.cli(["apply", "-f", file]);
    assert.equal(r.code, 0, r.stderr);
  };
  const podYaml = (name: string, container: string, extra = "") =>
    `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  terminationGracePeriodSeconds: 1\n${extra}  containers:\n${container}`;

  // Probes that must pass take a 10 s timeout: the default 1 s fails on a loaded machine, restarting for no reason.
  test("a failing liveness probe restarts the container; events and describe say why", async () => {
    await apply(
      "live",
      podYaml("live", `  - name: c\n    image: busybox\n    command: ["sh", "-c", "touch /tmp/healthy; trap 'exit 0' TERM; while true; do sleep 0.2; done"]\n    livenessProbe:\n      exec:\n        command: ["cat", "/tmp/healthy"]\n      periodSeconds: 1\n      timeoutSeconds: 10\n      failureThreshold: 2\n`),
    );
    await eventually(async () => (await get("live"))?.status?.containerStatuses?.[0]?.state.running, 20_000, "live running");
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal((await get("live"))!.status!.containerStatuses![0].restartCount, 0, "a passing probe restarts nothing");
    const broke = await d.cli(["exec", "live", "--", "rm", "/tmp/healthy"]);
    assert.equal(broke.code, 0, broke.stderr);
    const p = await eventually(async () => {
      const x = await get("live");
      return (x?.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 && x;
    }, 20_000, "restart after liveness failure");
    assert.equal(p.status!.containerStatuses![0].lastState.terminated?.reason, "Completed", "the container got SIGTERM and exited by itself");
    const evs = await events("live");
    const unhealthy = evs.find((e) => e.reason === "Unhealthy")!;
    assert.match(unhealthy.message!, /^Liveness probe failed: cat: can't open '\/tmp\/healthy': No such file or directory/);
    assert.equal(unhealthy.type, "Warning");
    assert.ok(evs.some((e) => e.reason === "Killing" && e.message === "Container c failed liveness probe, will be restarted"));
    const table = await d.cli(["get", "events", "--field-selector", "involvedObject.name=live"]);
    assert.match(table.stdout, /Warning\s+Unhealthy\s+pod\/live\s+Liveness probe failed/);
    const desc = await d.cli(["describe", "pod", "live"]);
    assert.match(desc.stdout, /Liveness:\s+exec \[cat \/tmp\/healthy\] delay=0s timeout=10s period=1s #success=1 #failure=2/);
    assert.match(desc.stdout, /Warning\s+Unhealthy\s+.*Liveness probe failed/);
    assert.match(desc.stdout, /Normal\s+Killing\s+.*Container c failed liveness probe, will be restarted/);
    await d.cli(["delete", "pod", "live", "--now"]);
  });

  test("readiness drives READY n/m and the Ready condition; a startup probe holds it back", async () => {
    await apply(
      "ready",
      podYaml(
        "ready",
        `  - name: web\n    image: busybox\n    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.2; done"]\n    startupProbe:\n      exec:\n        command: ["test", "-e", "/tmp/started"]\n      periodSeconds: 1\n      failureThreshold: 60\n    readinessProbe:\n      exec:\n        command: ["test", "-e", "/tmp/ready"]\n      periodSeconds: 1\n  - name: plain\n    image: busybox\n    command: ["sleep", "3600"]\n`,
      ),
    );
    await eventually(async () => (await get("ready"))?.status?.containerStatuses?.every((c) => c.state.running), 20_000, "both running");
    await d.cli(["exec", "ready", "-c", "web", "--", "touch", "/tmp/ready"]);
    await new Promise((r) => setTimeout(r, 2500));
    let p = (await get("ready"))!;
    const web = () => p.status!.containerStatuses!.find((c) => c.name === "web")!;
    assert.equal(web().started, false, "startup probe not passed yet");
    assert.equal(web().ready, false, "readiness is held back by the startup probe");
    assert.match((await d.cli(["get", "pod", "ready"])).stdout, /ready\s+1\/2\s+Running/);
    await d.cli(["exec", "ready", "-c", "web", "--", "touch", "/tmp/started"]);
    p = await eventually(async () => {
      const x = await get("ready");
      return x?.status?.containerStatuses?.find((c) => c.name === "web")?.ready && x;
    }, 10_000, "web ready");
    assert.equal(web().started, true);
    assert.equal(p.status!.conditions!.find((c) => c.type === "Ready")!.status, "True");
    assert.match((await d.cli(["get", "pod", "ready"])).stdout, /ready\s+2\/2\s+Running/);
    await d.cli(["exec", "ready", "-c", "web", "--", "rm", "/tmp/ready"]);
    p = await eventually(async () => {
      const x = await get("ready");
      return x?.status?.conditions?.find((c) => c.type === "Ready")?.status === "False" && x;
    }, 10_000, "not ready again");
    assert.equal(p.status!.conditions!.find((c) => c.type === "Ready")!.message, "containers with unready status: [web]");
    assert.equal(web().restartCount, 0);
    await d.cli(["delete", "pod", "ready", "--now"]);
  });

  test("httpGet and tcpSocket reach the pod at its pod IP", async () => {
    await httpAndTcpProbes(d, true);
  });

  test("grpc health probes reach a hostNetwork pod on 127.0.0.1", async () => {
    // The gRPC server runs in the test (busybox has none); a hostNetwork pod shares the node's 127.0.0.1.
    let serving = 1;
    const server: Http2Server = createServer();
    server.on("stream", (stream) => {
      stream.on("data", () => undefined);
      stream.on("end", () => {
        stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
        stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
        stream.end(Buffer.from([0, 0, 0, 0, 2, 0x08, serving]));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    try {
      await apply("grpc", podYaml("grpc", `  - name: c\n    image: busybox\n    command: ["sleep", "3600"]\n    readinessProbe:\n      grpc:\n        port: ${port}\n      periodSeconds: 1\n`, "  hostNetwork: true\n"));
      await eventually(async () => (await get("grpc"))?.status?.containerStatuses?.[0]?.ready, 20_000, "grpc ready");
      serving = 2;
      await eventually(async () => (await get("grpc"))?.status?.containerStatuses?.[0]?.ready === false, 10_000, "grpc not ready");
      assert.ok((await events("grpc")).some((e) => e.message === 'Readiness probe failed: service unhealthy (responded with "NOT_SERVING")'));
    } finally {
      await d.cli(["delete", "pod", "grpc", "--now"]);
      server.close();
    }
  });

  test("an exec probe that hangs is killed with its whole tree after timeoutSeconds and leaves no zombie", async () => {
    await apply(
      "hang",
      podYaml("hang", `  - name: c\n    image: busybox\n    command: ["sleep", "3600"]\n    readinessProbe:\n      exec:\n        command: ["sh", "-c", "sleep 1000 & sleep 1000"]\n      timeoutSeconds: 1\n      periodSeconds: 2\n`),
    );
    await eventually(async () => (await get("hang"))?.status?.containerStatuses?.[0]?.state.running, 20_000, "hang running");
    const timedOut = await eventually(async () => {
      const e = (await events("hang")).find((x) => x.reason === "Unhealthy");
      return e && (e.count ?? 0) >= 3 && e;
    }, 20_000, "three timed-out probes");
    assert.equal(timedOut.message, 'Readiness probe failed: command "sh -c sleep 1000 & sleep 1000" timed out');
    const ns = pidNamespaceOf(d, (await get("hang"))!.metadata.uid!);
    // Sample for a few seconds: never a zombie, and no probe process outlives its 1 s timeout (plus slack).
    for (let i = 0; i < 10; i++) {
      const procs = processesInNamespace(ns);
      assert.deepEqual(procs.filter((p) => p.state === "Z"), [], "no zombie in the container's PID namespace");
      const stale = procs.filter((p) => p.cmd.startsWith("sleep 1000") && p.ageSeconds > 3);
      assert.deepEqual(stale, [], "no probe process survived its timeout");
      await new Promise((r) => setTimeout(r, 300));
    }
    await d.cli(["delete", "pod", "hang", "--now"]);
  });
});

/**
 * An httpd with an httpGet liveness probe on a named port and a tcpSocket readiness probe, plus a container whose
 * readiness probe targets a port nobody listens on. With a pod network the probes go to the pod IP; without one,
 * through the pod's network namespace. The probes that must pass have a 10 s timeout: with the default 1 s, a loaded
 * machine's slow answer fails them, and the container restarts for a reason this test does not look at. The failing
 * readiness probe runs every 5 s, not every second: each of its events takes a token of the pod's spam filter (25,
 * one back per 5 minutes, as client-go's), and a loaded machine stretching the test past ~25 s of 1 s failures had
 * the liveness failure's event dropped.
 */
async function httpAndTcpProbes(d: TestDaemon, withPodIP: boolean): Promise<void> {
  const get = (name: string) => d.pod(name);
  const events = (name: string) => d.events(name);
  const file = join(d.root, "httpd.yaml");
  writeFileSync(
    file,
    `apiVersion: v1\nkind: Pod\nmetadata:\n  name: httpd\nspec:\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: web\n    image: busybox\n    command: ["sh", "-c", "mkdir -p /www && echo ok > /www/healthz && exec httpd -f -p 8080 -h /www"]\n    ports:\n    - name: http\n      containerPort: 8080\n    livenessProbe:\n      httpGet:\n        path: /healthz\n        port: http\n      periodSeconds: 1\n      timeoutSeconds: 10\n      failureThreshold: 2\n    readinessProbe:\n      tcpSocket:\n        port: 8080\n      periodSeconds: 1\n      timeoutSeconds: 10\n  - name: nolisten\n    image: busybox\n    command: ["sleep", "3600"]\n    readinessProbe:\n      tcpSocket:\n        port: 9999\n      periodSeconds: 5\n`,
  );
  assert.equal((await d.cli(["apply", "-f", file])).code, 0);
  const p = await eventually(async () => {
    const x = await get("httpd");
    return x?.status?.containerStatuses?.find((c) => c.name === "web")?.ready && x;
  }, 20_000, "web ready through tcpSocket");
  const ip = p.status!.podIP;
  if (withPodIP) assert.match(ip ?? "", /^10\./, "the pod has an IP: the probes went to it");
  else assert.equal(ip, undefined, "no pod network: the probes went through the namespace");
  await new Promise((r) => setTimeout(r, 2500));
  assert.equal((await get("httpd"))!.status!.containerStatuses!.find((c) => c.name === "web")!.restartCount, 0, "httpGet passes");
  const refused = await eventually(async () => (await events("httpd")).find((e) => e.message?.startsWith("Readiness probe failed: dial tcp")), 30_000, "tcp failure event");
  assert.equal(refused.message, `Readiness probe failed: dial tcp ${ip ?? "127.0.0.1"}:9999: connect: connection refused`);
  await d.cli(["exec", "httpd", "-c", "web", "--", "rm", "/www/healthz"]);
  await eventually(async () => ((await get("httpd"))?.status?.containerStatuses?.find((c) => c.name === "web")?.restartCount ?? 0) >= 1, 20_000, "web restarted");
  assert.ok((await events("httpd")).some((e) => e.message === "Liveness probe failed: HTTP probe failed with statuscode: 404"));
  await d.cli(["delete", "pod", "httpd", "--now"]);
}

describe("kubelet probes without a pod network (privileged)", { skip }, () => {
  const d = suiteDaemon("probes-nonet", ["--no-network"]);

  test("httpGet and tcpSocket reach a pod without a pod IP inside its network namespace", async () => {
    await httpAndTcpProbes(d, false);
  });
});

interface ProcInfo {
  pid: number;
  state: string;
  cmd: string;
  ageSeconds: number;
}

/** The PID namespace (link text) of a pod's running container, from the runtime's record. */
function pidNamespaceOf(d: TestDaemon, uid: string): string {
  const pid = d.runningPid(uid);
  if (!pid) throw new Error(`no running container in pod ${uid}`);
  return readlinkSync(`/proc/${pid}/ns/pid`);
}

function processesInNamespace(ns: string): ProcInfo[] {
  const uptime = Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]);
  const out: ProcInfo[] = [];
  for (const p of processesInPidNamespace(ns)) {
    try {
      const cmd = readFileSync(`/proc/${p.pid}/cmdline`, "utf8").replace(/\0/g, " ").trim();
      out.push({ pid: p.pid, state: p.state, cmd, ageSeconds: uptime - p.startTime / 100 });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}
