/**
 * Real kubectl (1.32 via the gcloud dispatcher) and nodelet's own streaming client against the streaming handlers,
 * through the minimal harness API server: exec, attach and port-forward over every protocol kubectl can pick,
 * then throughput. Needs kubectl and openssl (TLS: kubectl sends no token to an http:// server).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { connect as netConnect, type Socket } from "node:net";
import { PassThrough, Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { connect as tlsConnect } from "node:tls";
import { execSession, portForward, type TerminalSize } from "../../src/client/streaming/index.js";
import { needsCommand, skipUnless } from "../helpers/root.js";
import {
  FakePodIO,
  type Harness,
  httpGet,
  kubectl,
  collect,
  kubectlPortForward,
  runningPod,
  startBackends,
  startHarness,
  TOKEN,
} from "../helpers/stream-harness.js";

const skip = skipUnless(needsCommand("kubectl"), needsCommand("openssl"));
const WS = {};
const SPDY_EXEC = { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: "false" };
const SPDY_PF = { KUBECTL_PORT_FORWARD_WEBSOCKETS: "false" };
const EXEC_PATH = "/api/v1/namespaces/default/pods/web/exec";
const POD_PATH = "/api/v1/namespaces/default/pods/web";

let h: Harness;
let backends: Awaited<ReturnType<typeof startBackends>>;

/** Waits until every connection to the harness has closed: sessions must not leak sockets. */
async function noConnectionsLeft(): Promise<void> {
  for (let i = 0; i < 80 && h.openConnections() > 0; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(h.openConnections(), 0, "connections left open");
}

describe("kubectl exec/attach/port-forward against the streaming handlers", { skip, timeout: 300_000 }, () => {
  before(async () => {
    backends = await startBackends();
    h = await startHarness(new FakePodIO({ 80: backends.http, 7: backends.countAfterEof }), runningPod("web", ["main", "stopped"]));
  });
  after(async () => {
    await h?.close();
    await backends?.close();
  });

  for (const [name, env, upgrade] of [["WebSocket v5", WS, "websocket"], ["SPDY", SPDY_EXEC, "SPDY/3.1"]] as const) {
    describe(`exec over ${name}`, () => {
      it("relays stdout and stderr and exits with the remote exit code", async () => {
        const before = h.requests.length;
        const r = await kubectl(h, ["exec", "web", "--", "sh", "-c", "echo out; echo err >&2; exit 3"], { env });
        assert.equal(r.code, 3);
        assert.equal(r.stdout, "out\n");
        assert.match(r.stderr, /err\n/);
        assert.match(r.stderr, /command terminated with exit code 3/);
        const upgrades = h.requests.slice(before).filter((q) => q.upgrade);
        assert.deepEqual(upgrades.map((q) => q.upgrade), [upgrade], "no fallback was needed");
      });

      it("pipes stdin to the command and ends it at EOF", async () => {
        const r = await kubectl(h, ["exec", "-i", "web", "--", "cat"], { env, input: "hi\nthere\n" });
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, "hi\nthere\n");
      });

      it("reports a container that is not in the pod, and one that is not running", async () => {
        const missing = await kubectl(h, ["exec", "web", "-c", "nope", "--", "true"], { env });
        assert.equal(missing.code, 1);
        assert.match(missing.stderr, /container nope is not valid for pod web/);
        const stopped = await kubectl(h, ["exec", "web", "-c", "stopped", "--", "true"], { env });
        assert.equal(stopped.code, 1);
        assert.match(stopped.stderr, /container stopped in pod web is not running/);
      });

      it("runs a TTY session under script(1): resize first, output, exit code", { skip: needsCommand("script") }, async () => {
        const cmd = `stty cols 100 rows 30; kubectl --kubeconfig=${h.kubeconfig} --cache-dir=${h.cacheDir} exec -it web -- sh -c 'echo in-tty; exit 4'`;
        const r = await collect(spawn("script", ["-qec", cmd, "/dev/null"], { env: { ...process.env, ...env } }), "", 30_000);
        assert.equal(r.code, 4, r.stdout);
        assert.match(r.stdout, /\[resize 100x30\][\s\S]*in-tty/);
        assert.match(r.stdout, /command terminated with exit code 4/);
        assert.equal(h.io.execs.at(-1)?.tty, true);
        assert.equal(h.io.execs.at(-1)?.stderr, false);
      });

      it("moves 20 MB each way without losing a byte", async () => {
        const out = await kubectl(h, ["exec", "web", "--", "sh", "-c", "head -c 20000000 /dev/zero | tr '\\0' x"], { env });
        assert.equal(out.code, 0, out.stderr);
        assert.equal(out.stdout.length, 20_000_000);
        const into = await kubectl(h, ["exec", "-i", "web", "--", "wc", "-c"], { env, input: "y".repeat(20_000_000) });
        assert.equal(into.stdout.trim(), "20000000");
      });

      it("kills the process when kubectl goes away", async () => {
        const child = spawn("kubectl", [`--kubeconfig=${h.kubeconfig}`, `--cache-dir=${h.cacheDir}`, "exec", "web", "--", "sleep", "60"], {
          env: { ...process.env, ...env },
          stdio: "ignore",
        });
        for (let i = 0; i < 100 && h.io.children.size === 0; i++) await new Promise((r) => setTimeout(r, 50));
        assert.equal(h.io.children.size, 1, "the command started");
        child.kill("SIGKILL");
        for (let i = 0; i < 100 && h.io.children.size > 0; i++) await new Promise((r) => setTimeout(r, 50));
        assert.equal(h.io.children.size, 0, "the command was killed");
      });

      it("attaches to the container's process", async () => {
        const r = await kubectl(h, ["attach", "-i", "web"], { env, input: "attached!\n" });
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, "attached!\n");
      });
    });
  }

  for (const [name, env, upgrade] of [["WebSocket (SPDY tunnel)", WS, "websocket"], ["SPDY", SPDY_PF, "SPDY/3.1"]] as const) {
    describe(`port-forward over ${name}`, () => {
      it("forwards 20 concurrent HTTP requests", async () => {
        const pf = await kubectlPortForward(h, 80, env);
        try {
          const results = await Promise.all(Array.from({ length: 20 }, (_, i) => httpGet(pf.port, `/req-${i}`)));
          results.forEach((r, i) => assert.deepEqual(r, { status: 200, body: `ok /req-${i}` }));
          assert.ok(h.requests.some((q) => q.url.endsWith("/portforward") && q.upgrade === upgrade));
        } finally {
          await pf.stop();
        }
      });

      it("carries a half-close: the pod answers after reading to EOF", async () => {
        const pf = await kubectlPortForward(h, 7, env);
        try {
          assert.equal(await sendAndHalfClose(pf.port, Buffer.alloc(300_000, 1)), "got 300000");
        } finally {
          await pf.stop();
        }
      });

      it("reports a refused pod port the way kubectl prints it", async () => {
        const pf = await kubectlPortForward(h, 1, env); // nothing listens on 127.0.0.1:1
        try {
          await httpGet(pf.port, "/").catch(() => undefined);
          for (let i = 0; i < 50 && !/an error occurred forwarding/.test(pf.stderr()); i++) await new Promise((r) => setTimeout(r, 100));
          assert.match(pf.stderr(), /an error occurred forwarding \d+ -> 1: error forwarding port 1 to pod default\/web.*ECONNREFUSED/);
        } finally {
          await pf.stop();
        }
      });
    });
  }

  describe("nodelet's streaming client", () => {
    const connect = (): Socket => netConnect(h.socketPath);
    const headers = { Authorization: `Bearer ${TOKEN}` };

    it("execs with stdin, stdout, stderr and the exit code (unix socket)", async () => {
      const out = collectText();
      const err = collectText();
      const query = new URLSearchParams([["command", "sh"], ["command", "-c"], ["command", "cat; echo e >&2; exit 5"], ["container", "main"]]);
      const code = await execSession(connect, EXEC_PATH, query, { headers, stdin: Readable.from(["in"]), stdout: out.stream, stderr: err.stream });
      assert.equal(code, 5);
      assert.equal(out.text(), "in");
      assert.equal(err.text(), "e\n");
    });

    it("sends terminal sizes in a TTY session (TLS)", async () => {
      const tlsConnectFn = (): Socket => tlsConnect({ host: "127.0.0.1", port: h.port, ca: h.ca });
      const out = collectText();
      async function* sizes(): AsyncGenerator<TerminalSize> {
        yield { width: 120, height: 40 };
      }
      const query = new URLSearchParams([["command", "sh"], ["command", "-c"], ["command", "sleep 0.3; echo done"]]);
      const code = await execSession(tlsConnectFn, EXEC_PATH, query, { headers, stdout: out.stream, tty: true, resizeEvents: sizes() });
      assert.equal(code, 0);
      assert.match(out.text(), /\[resize 120x40\][\s\S]*done/);
    });

    it("rejects with the server's message", async () => {
      const query = new URLSearchParams([["command", "true"], ["container", "nope"]]);
      await assert.rejects(execSession(connect, EXEC_PATH, query, { headers, stdout: new PassThrough() }), /container nope is not valid/);
    });

    it("forwards 20 concurrent HTTP requests, a half-close, and reports refused ports", async () => {
      const errors: string[] = [];
      const pf = await portForward(connect, POD_PATH, [{ local: 0, remote: 80 }, { local: 0, remote: 7 }, { local: 0, remote: 1 }], {
        headers,
        onError: (e) => errors.push(e.message),
      });
      try {
        const [web, count, refused] = pf.ports.map((p) => p.local);
        const results = await Promise.all(Array.from({ length: 20 }, (_, i) => httpGet(web, `/c-${i}`)));
        results.forEach((r, i) => assert.deepEqual(r, { status: 200, body: `ok /c-${i}` }));
        assert.equal(await sendAndHalfClose(count, Buffer.alloc(1 << 20, 2)), `got ${1 << 20}`);
        await httpGet(refused, "/").catch(() => undefined);
        assert.match(errors.join("\n"), /an error occurred forwarding \d+ -> 1: .*ECONNREFUSED/);
      } finally {
        await pf.close();
      }
    });
  });

  // Every byte through every path, with the rates as diagnostics: the figures themselves are `make bench`'s
  // (bench/portforward-bench.ts), so a loaded machine cannot fail this and it stays small in time.
  it("measures port-forward download throughput", { timeout: 240_000 }, async (t) => {
    const mib = 32;
    const source = await startSource(mib);
    h.io.ports[9] = source.port;
    const results: Record<string, number> = {};
    const best = async (name: string, port: number): Promise<void> => {
      const r = await measureDownload(port);
      assert.equal(r.bytes, mib * 1048576, `${name}: every byte arrived`);
      results[name] = r.mbps;
    };
    try {
      await best("direct loopback", source.port);
      for (const [name, env] of [["kubectl (WebSocket tunnel)", WS], ["kubectl (SPDY)", SPDY_PF]] as const) {
        const pf = await kubectlPortForward(h, 9, env);
        await best(name, pf.port).finally(() => pf.stop());
      }
      const unix = await portForward(() => netConnect(h.socketPath), POD_PATH, [{ local: 0, remote: 9 }], { headers });
      await best("nodelet client (unix socket)", unix.ports[0].local).finally(() => unix.close());
    } finally {
      source.stop();
    }
    for (const [name, mbps] of Object.entries(results)) {
      t.diagnostic(`${name.padEnd(30)} ${mbps.toFixed(0).padStart(6)} MiB/s  (${((mbps / results["direct loopback"]) * 100).toFixed(0)}% of direct)`);
    }
    assert.equal(Object.keys(results).length, 4, "every path measured");
  });

  it("leaves no connection open", noConnectionsLeft);
});

const headers = { Authorization: `Bearer ${TOKEN}` };

function collectText(): { stream: PassThrough; text(): string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on("data", (d: Buffer) => chunks.push(d));
  return { stream, text: () => Buffer.concat(chunks).toString() };
}

/** Sends `data` to 127.0.0.1:port, shuts down the write side, and returns what comes back before the close. */
function sendAndHalfClose(port: number, data: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = netConnect({ port, host: "127.0.0.1", allowHalfOpen: true });
    let reply = "";
    s.on("data", (d: Buffer) => (reply += d.toString()));
    s.on("end", () => {
      s.end();
      resolve(reply);
    });
    s.on("error", reject);
    s.end(data);
  });
}

/**
 * Throughput helpers, in child processes so that the process serving the stream does not also produce and consume
 * the bytes: a source that sends `mib` MiB to every connection, and a sink that measures one download.
 */
const SOURCE_JS = `
const net = require("node:net"); const size = Number(process.argv[1]) * 1048576; const chunk = Buffer.alloc(262144, 7);
const srv = net.createServer((s) => { s.on("error", () => {}); let left = size;
  const pump = () => { while (left > 0) { left -= chunk.length; if (!s.write(chunk)) return s.once("drain", pump); } s.end(); }; pump(); });
srv.listen(0, "127.0.0.1", () => console.log(srv.address().port));`;
const SINK_JS = `
const net = require("node:net"); const t0 = process.hrtime.bigint(); let n = 0;
const c = net.connect(Number(process.argv[1]), "127.0.0.1"); c.on("data", (d) => (n += d.length));
c.on("end", () => console.log(JSON.stringify({ bytes: n, seconds: Number(process.hrtime.bigint() - t0) / 1e9 })));`;

async function startSource(mib: number): Promise<{ port: number; stop(): void }> {
  const child = spawn(process.execPath, ["-e", SOURCE_JS, String(mib)], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve) => child.stdout.once("data", (d: Buffer) => resolve(Number(d.toString().trim()))));
  return { port, stop: () => child.kill() };
}

/** Downloads everything `port` sends; returns MB/s (MiB per second). */
async function measureDownload(port: number): Promise<{ bytes: number; mbps: number }> {
  const r = await collect(spawn(process.execPath, ["-e", SINK_JS, String(port)]), undefined, 120_000);
  const { bytes, seconds } = JSON.parse(r.stdout) as { bytes: number; seconds: number };
  return { bytes, mbps: bytes / 1048576 / seconds };
}
