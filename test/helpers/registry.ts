/**
 * A real registry for tests: Debian's `docker-registry` (distribution 2.8) on 127.0.0.1 at a free port, with its own
 * config, storage and log in a temp dir, in one of three auth modes:
 *   - anonymous: no auth;
 *   - htpasswd: Basic auth against a bcrypt htpasswd file (made with apache2-utils' htpasswd, password on stdin);
 *   - token: Bearer tokens from a small token server run here (TokenServer), signed ES256 with a throwaway key whose
 *     self-signed certificate the registry trusts (rootcertbundle; the token carries it in x5c).
 * `pushImage` copies an image from an OCI layout (oci-layout.ts) with skopeo. `stop()` ends the registry and the token
 * server and removes the temp dir; call it in `after`, it is idempotent.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createPrivateKey, randomBytes, sign } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, get, type IncomingMessage, type Server } from "node:http";
import { get as httpsGet } from "node:https";
import { freePort } from "./ports.js";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

export type RegistryAuth =
  | { mode: "anonymous" }
  | { mode: "htpasswd"; username: string; password: string }
  | { mode: "token"; username: string; password: string; anonymousPull?: boolean; expiresIn?: number };

export interface TestRegistry {
  /** "127.0.0.1:PORT": the registry part of an image reference. */
  readonly host: string;
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  readonly auth: RegistryAuth;
  readonly tokenServer?: TokenServer;
  /** With TLS: the registry's self-signed certificate (PEM), to trust as a CA. */
  readonly caFile?: string;
  /** The file the registry keeps a blob in (to corrupt it in a test). */
  blobDataPath(digest: string): string;
  /** The registry's log so far (for a failing test's message). */
  log(): string;
  stop(): Promise<void>;
}

const SERVICE = "nodelet-test-registry";
const ISSUER = "nodelet-test-token-issuer";
const live = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

/** A TCP port free on 127.0.0.1 at the time of asking (the registry binds it right after). */
/**
 * Starts a registry in the given auth mode (anonymous by default); resolves once `/v2/` answers. With `tls`, it serves
 * HTTPS with a fresh self-signed certificate for 127.0.0.1, whose PEM is the handle's `caFile`.
 */
export async function startRegistry(auth: RegistryAuth = { mode: "anonymous" }, opts: { tls?: boolean } = {}): Promise<TestRegistry> {
  const dir = mkdtempSync(join(tmpdir(), "regtest-"));
  let tokenServer: TokenServer | undefined;
  try {
    const authYaml = await authConfig(dir, auth, (t) => (tokenServer = t));
    const tlsYaml = opts.tls ? tlsConfig(dir) : "";
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const started = await launch(dir, port, authYaml, tlsYaml).catch((err: Error) => err);
      if (!(started instanceof Error)) return registryHandle(dir, port, auth, started, tokenServer, opts.tls === true);
      if (attempt >= 3 || !/address already in use/.test(started.message)) throw started;
    }
  } catch (err) {
    await tokenServer?.close();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

function registryHandle(dir: string, port: number, auth: RegistryAuth, child: ChildProcess, tokenServer: TokenServer | undefined, tls: boolean): TestRegistry {
  let stopped: Promise<void> | undefined;
  return {
    host: `127.0.0.1:${port}`,
    port,
    url: `${tls ? "https" : "http"}://127.0.0.1:${port}`,
    ...(tls ? { caFile: join(dir, "tls.crt") } : {}),
    dir,
    auth,
    ...(tokenServer ? { tokenServer } : {}),
    blobDataPath: (digest) => {
      const [alg, hex] = digest.split(":");
      return join(dir, "data/docker/registry/v2/blobs", alg, hex.slice(0, 2), hex, "data");
    },
    log: () => readFileSync(join(dir, "registry.log"), "utf8"),
    stop: () =>
      (stopped ??= (async () => {
        await stopChild(child);
        await tokenServer?.close();
        rmSync(dir, { recursive: true, force: true });
      })()),
  };
}

async function authConfig(dir: string, auth: RegistryAuth, setToken: (t: TokenServer) => void): Promise<string> {
  if (auth.mode === "anonymous") return "";
  if (auth.mode === "htpasswd") {
    const line = execFileSync("htpasswd", ["-niB", auth.username], { input: `${auth.password}\n`, encoding: "utf8" });
    writeFileSync(join(dir, "htpasswd"), line);
    return `auth:\n  htpasswd:\n    realm: ${SERVICE}\n    path: ${join(dir, "htpasswd")}\n`;
  }
  const keyPem = join(dir, "token.key");
  const certPem = join(dir, "token.crt");
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", keyPem, "-out", certPem, "-days", "2", "-subj", "/CN=nodelet-test-token"], {
    stdio: "ignore",
  });
  const token = await startTokenServer(auth, readFileSync(keyPem, "utf8"), readFileSync(certPem, "utf8"));
  setToken(token);
  return `auth:\n  token:\n    realm: ${token.url}\n    service: ${SERVICE}\n    issuer: ${ISSUER}\n    rootcertbundle: ${certPem}\n`;
}

function tlsConfig(dir: string): string {
  const key = join(dir, "tls.key");
  const crt = join(dir, "tls.crt");
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", crt, "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], {
    stdio: "ignore",
  });
  return `\n  tls:\n    certificate: ${crt}\n    key: ${key}`;
}

function launch(dir: string, port: number, authYaml: string, tlsYaml: string): Promise<ChildProcess> {
  const tls = tlsYaml !== "";
  mkdirSync(join(dir, "data"), { recursive: true });
  const config = join(dir, "config.yml");
  writeFileSync(
    config,
    [
      "version: 0.1",
      "log:\n  level: info\n  accesslog:\n    disabled: true",
      `storage:\n  filesystem:\n    rootdirectory: ${join(dir, "data")}\n  delete:\n    enabled: true\n  maintenance:\n    uploadpurging:\n      enabled: false`,
      `http:\n  addr: 127.0.0.1:${port}\n  secret: ${randomBytes(16).toString("hex")}${tlsYaml}`,
      authYaml,
    ].join("\n"),
  );
  const logFile = join(dir, "registry.log");
  writeFileSync(logFile, "");
  const child = spawn("docker-registry", ["serve", config], { stdio: ["ignore", "pipe", "pipe"] });
  live.add(child);
  const chunks: Buffer[] = [];
  const keep = (b: Buffer): void => {
    chunks.push(b);
    writeFileSync(logFile, Buffer.concat(chunks));
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return new Promise((resolve, reject) => {
    let done = false;
    const deadline = setTimeout(() => finish(new Error(`docker-registry did not answer on 127.0.0.1:${port} within 20 s:\n${Buffer.concat(chunks).toString()}`)), 20_000);
    const finish = (err?: Error): void => {
      if (done) return;
      done = true;
      clearTimeout(deadline);
      if (err) {
        void stopChild(child).then(() => reject(err));
      } else resolve(child);
    };
    child.once("exit", (code) => finish(new Error(`docker-registry exited (${code}) before it answered:\n${Buffer.concat(chunks).toString()}`)));
    const poll = (): void => {
      if (done) return;
      const req = (tls ? httpsGet : get)({ host: "127.0.0.1", port, path: "/v2/", timeout: 1000, rejectUnauthorized: false }, (res) => {
        res.resume();
        finish();
      });
      req.on("error", () => setTimeout(poll, 25));
      req.on("timeout", () => req.destroy());
    };
    poll();
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      live.delete(child);
      resolve();
      return;
    }
    const kill = setTimeout(() => child.kill("SIGKILL"), 5000);
    child.once("exit", () => {
      clearTimeout(kill);
      live.delete(child);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/** One request the token server answered (no credentials are kept: only whether Basic auth came and for whom). */
export interface TokenRequest {
  service: string | null;
  scopes: string[];
  account: string | undefined;
  granted: boolean;
}

export interface TokenServer {
  readonly url: string;
  readonly requests: TokenRequest[];
  close(): Promise<void>;
}

/**
 * The token endpoint of distribution's token auth spec: GET ?service=&scope=… with optional Basic credentials →
 * {token, access_token, expires_in, issued_at}. Right credentials get every action asked for; no credentials get
 * pull only when anonymousPull is set, else 401; wrong credentials get 401.
 */
async function startTokenServer(auth: Extract<RegistryAuth, { mode: "token" }>, keyPem: string, certPem: string): Promise<TokenServer> {
  const key = createPrivateKey(keyPem);
  const x5c = certPem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
  const requests: TokenRequest[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const url = new URL(req.url ?? "/", "http://token");
    const scopes = url.searchParams.getAll("scope").flatMap((s) => s.split(" ")).filter(Boolean);
    const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? "");
    const [user, ...pw] = basic ? Buffer.from(basic[1], "base64").toString().split(":") : [];
    const authenticated = basic !== null && user === auth.username && pw.join(":") === auth.password;
    const granted = authenticated || (!basic && auth.anonymousPull === true);
    requests.push({ service: url.searchParams.get("service"), scopes, account: basic ? user : undefined, granted });
    if (!granted) {
      res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ details: "invalid credentials" }));
      return;
    }
    const access = scopes.map((s) => {
      const [type, ...rest] = s.split(":");
      const actions = rest.pop()?.split(",") ?? [];
      return { type, name: rest.join(":"), actions: authenticated ? actions : actions.filter((a) => a === "pull") };
    });
    const now = Math.floor(Date.now() / 1000);
    const expiresIn = auth.expiresIn ?? 300;
    const header = { typ: "JWT", alg: "ES256", x5c: [x5c] };
    const claims = { iss: ISSUER, sub: user ?? "", aud: SERVICE, exp: now + expiresIn, nbf: now - 10, iat: now, jti: randomBytes(8).toString("hex"), access };
    const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const signature = sign("sha256", Buffer.from(signingInput), { key, dsaEncoding: "ieee-p1363" });
    const token = `${signingInput}.${b64url(signature)}`;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ token, access_token: token, expires_in: expiresIn, issued_at: new Date(now * 1000).toISOString() }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}/token`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function b64url(data: string | Buffer): string {
  return Buffer.from(data).toString("base64url");
}

export interface PushOptions {
  /** The tag in the OCI layout's index.json. */
  from: string;
  /** "REPOSITORY:TAG" in the registry ("tiny/busybox:v1"). */
  to: string;
  /** Copy a whole index (every platform), not only this node's platform. */
  all?: boolean;
  /** "v2s2" converts to Docker schema 2 manifests (and a Docker manifest list); default keeps OCI. */
  format?: "oci" | "v2s2";
}

/**
 * Copies an image from an OCI layout directory to the registry with skopeo (credentials of the registry's auth mode
 * through an auth file, never argv). Returns the digest skopeo pushed. Asynchronous: in token mode skopeo asks the
 * token server that runs in this process.
 */
export async function pushImage(reg: TestRegistry, layoutDir: string, opts: PushOptions): Promise<string> {
  const digestFile = join(reg.dir, `pushed-${randomBytes(4).toString("hex")}`);
  const argv = ["--insecure-policy", "copy", "--quiet", "--dest-tls-verify=false", "--digestfile", digestFile];
  if (opts.all) argv.push("--all");
  if (opts.format) argv.push("--format", opts.format);
  if (reg.auth.mode !== "anonymous") {
    const authFile = join(reg.dir, "push-auth.json");
    const auth = Buffer.from(`${reg.auth.username}:${reg.auth.password}`).toString("base64");
    writeFileSync(authFile, JSON.stringify({ auths: { [reg.host]: { auth } } }), { mode: 0o600 });
    argv.push("--dest-authfile", authFile);
  }
  argv.push(`oci:${layoutDir}:${opts.from}`, `docker://${reg.host}/${opts.to}`);
  try {
    await promisify(execFile)("skopeo", argv, { timeout: 60_000 });
  } catch (err) {
    const e = err as { stderr?: string };
    throw new Error(`skopeo copy to ${reg.host}/${opts.to} failed: ${e.stderr ?? String(err)}\nregistry log:\n${reg.log().slice(-3000)}`, { cause: err });
  }
  return readFileSync(digestFile, "utf8").trim();
}
