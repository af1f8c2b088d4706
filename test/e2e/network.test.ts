/**
 * Pod networking through the daemon and the CLI: pod IPs in status and `get -o wide`, pods talking to each other,
 * /etc/hosts, hostPort, `nodelet port-forward` with many concurrent clients, and a clean host after the daemon
 * stops with --cleanup-on-exit.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { httpGet as getBody } from "../helpers/http-get.js";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { needsRoot } from "../helpers/root.js";
import { eventually, NODELET, suiteDaemon, TestDaemon } from "../helpers/daemon.js";

const skip = needsRoot();

const httpGet = (port: number, host = "127.0.0.1"): Promise<string> => getBody(host, port, "/", 5000);

describe("pod networking through the daemon (privileged)", { skip }, () => {
  const d = suiteDaemon("net", ["--cleanup-on-exit"]);

  const get = (name: string) => d.pod(name);

  test("two pods talk to each other; IPs in status, wide output and /etc/hosts; hostPort from the node", async () => {
    const file = join(d.root, "web.yaml");
    const hostPort = 20000 + (process.pid % 10000);
    writeFileSync(
      file,
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: httpd\n    image: busybox\n    command: ["sh", "-c", "mkdir /www && hostname > /www/index.html && exec httpd -f -p 80 -h /www"]\n    ports:\n    - containerPort: 80\n      hostPort: ${hostPort}\n`,
    );
    assert.equal((await d.cli(["apply", "-f", file])).code, 0);
    const web = await eventually(async () => {
      const p = await get("web");
      return p?.status?.phase === "Running" && p.status.podIP ? p : undefined;
    }, 15_000, "web Running with an IP");
    const ip = web.status!.podIP!;
    assert.match(ip, new RegExp(`^10\\.${d.octet}\\.0\\.\\d+$`));
    assert.deepEqual(web.status!.podIPs, [{ ip }]);
    assert.match((await d.cli(["get", "pods", "-o", "wide"])).stdout, new RegExp(`web\\s+1/1\\s+Running\\s+0\\s+\\S+\\s+${ip.replace(/\./g, "\\.")}\\s`));
    assert.match((await d.cli(["exec", "web", "--", "cat", "/etc/hosts"])).stdout, new RegExp(`^${ip.replace(/\./g, "\\.")}\\tweb$`, "m"));
    const client = await d.cli(["run", "client", "--image", "busybox", "--restart", "Never", "--rm", "--attach", "-q", "--", "sh", "-c", `ip -4 -o addr show eth0 | awk '{print $4}'; timeout 5 wget -qO- http://${ip}/`]);
    assert.equal(client.code, 0, client.stderr);
    const [addr, body] = client.stdout.trim().split("\n");
    assert.match(addr, new RegExp(`^10\\.${d.octet}\\.0\\.\\d+/24$`));
    assert.equal(body, "web");
    assert.equal(await httpGet(80, ip), "web\n", "the host reaches the pod");
    assert.equal(await httpGet(hostPort), "web\n", "hostPort on the node's loopback");
  });

  test("port-forward serves many concurrent connections and stops cleanly", async () => {
    const child = spawn(process.execPath, [NODELET, "port-forward", "pod/web", ":80"], { env: { ...process.env, NODELET_SOCKET: d.socket } });
    try {
      let out = "";
      child.stdout.on("data", (b: Buffer) => (out += b.toString()));
      const port = await eventually(async () => Number(/Forwarding from 127\.0\.0\.1:(\d+) -> 80/.exec(out)?.[1]), 10_000, "port-forward to listen");
      const bodies = await Promise.all(Array.from({ length: 30 }, () => httpGet(port)));
      assert.deepEqual(new Set(bodies), new Set(["web\n"]));
      assert.equal(bodies.length, 30);
    } finally {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGINT");
      assert.equal(await exited, 0, "port-forward exits 0 on interrupt");
    }
  });

  test("port-forward carries a bulk transfer intact both ways (the relays hand it to the kernel's splice)", async () => {
    // A pod that echoes one connection's bytes back, hashed on both sides: 24 MiB each way, well past the hand-off.
    await d.cli(["run", "echo", "--image", "busybox", "--", "nc", "-l", "-p", "9000", "-e", "cat"]);
    await eventually(async () => (await get("echo"))?.status?.phase === "Running", 15_000, "echo running");
    const child = spawn(process.execPath, [NODELET, "port-forward", "pod/echo", ":9000"], { env: { ...process.env, NODELET_SOCKET: d.socket } });
    try {
      let out = "";
      child.stdout.on("data", (b: Buffer) => (out += b.toString()));
      const port = await eventually(async () => Number(/Forwarding from 127\.0\.0\.1:(\d+) -> 9000/.exec(out)?.[1]), 10_000, "port-forward");
      const { createHash, randomBytes } = await import("node:crypto");
      const { connect } = await import("node:net");
      const payload = randomBytes(24 << 20);
      const sock = connect({ port, host: "127.0.0.1", allowHalfOpen: true });
      const got = createHash("sha256");
      let received = 0;
      const done = new Promise<void>((resolve, reject) => {
        sock.on("data", (c: Buffer) => {
          got.update(c);
          received += c.length;
        });
        sock.on("end", () => resolve());
        sock.on("error", reject);
      });
      sock.end(payload);
      await done;
      assert.equal(received, payload.length);
      assert.equal(got.digest("hex"), createHash("sha256").update(payload).digest("hex"));
    } finally {
      child.kill("SIGINT");
      await d.cli(["delete", "pod", "echo", "--now"]);
    }
  });

  test("a pod cannot reach a cluster address where no pod is (refused at once, not left to time out)", async () => {
    // 10.X.5.9 is in the cluster CIDR but outside this node's pod CIDR: no pod can have it.
    const r = await d.cli(["run", "probe", "--image", "busybox", "--restart", "Never", "--rm", "--attach", "-q", "--", "sh", "-c", `t0=$(date +%s); timeout 5 wget -qO- http://10.${d.octet}.5.9/ 2>&1; echo "rc=$? secs=$(( $(date +%s) - t0 ))"`]);
    assert.match(r.stdout, /rc=[1-9]\d* secs=[0-1]\n$/, `fails fast: ${r.stdout}`);
  });

  test("a second daemon runs beside the first with its own bridge, subnets and rules; removing it leaves the first untouched", async () => {
    const serve = (t: TestDaemon, name: string) =>
      t.cli(["run", name, "--image", "busybox", "--", "sh", "-c", `mkdir /www && echo ${name} > /www/index.html && exec httpd -f -p 80 -h /www`]);
    const podIP = (t: TestDaemon, name: string) =>
      eventually(async () => {
        const p = await t.pod(name);
        return p?.status?.phase === "Running" && p.status.podIP;
      }, 15_000, `${name} Running with an IP`);
    assert.equal((await serve(d, "stay")).code, 0);
    const stayIP = await podIP(d, "stay");
    const before = firewallOf(d.bridge);
    assert.ok(before.length > 0, "the first daemon has rules of its own");
    const d2 = new TestDaemon("net2", ["--cleanup-on-exit"]);
    try {
      await d2.start();
      assert.notEqual(d2.bridge, d.bridge);
      assert.equal((await serve(d2, "other")).code, 0);
      const otherIP = await podIP(d2, "other");
      assert.match(otherIP, new RegExp(`^10\\.${d2.octet}\\.0\\.`));
      assert.equal(await httpGet(80, stayIP), "stay\n");
      assert.equal(await httpGet(80, otherIP), "other\n");
      assert.ok(firewallOf(d2.bridge).length > 0, "the second daemon's rules are its own");
    } finally {
      await d2.cleanup();
    }
    assert.deepEqual(d2.leftovers(), [], "nothing of the second daemon is left");
    assert.deepEqual(firewallOf(d.bridge), before, "the first daemon's rules are as they were");
    assert.equal(await httpGet(80, stayIP), "stay\n", "its pod still answers");
    await d.cli(["delete", "pod", "stay", "--now"]);
  });
});

/** The nftables tables and iptables rules a daemon owns (named after its bridge), without counters. */
function firewallOf(bridge: string): string[] {
  // Trimmed: the ruleset's last table keeps the output's final newline, and another test's table listed after ours
  // (files run side by side) takes it away.
  const tables = (spawnSync("nft", ["-s", "list", "ruleset"], { encoding: "utf8" }).stdout ?? "").split(/\n(?=table )/).filter((t) => t.split("\n")[0].includes(bridge)).map((t) => t.trimEnd());
  const rules = ["iptables-save", "iptables-legacy-save"].flatMap((save) =>
    (spawnSync(save, [], { encoding: "utf8" }).stdout ?? "")
      .split("\n")
      .filter((l) => l.includes(bridge))
      .map((l) => l.replace(/\[\d+:\d+\]/g, "")),
  );
  return [...tables, ...rules];
}
