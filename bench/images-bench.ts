/**
 * Image pulls, measured (needs root; one run of each, side by side, on a local registry):
 *
 * - `nodelet image build --debian` of a Debian image (mmdebstrap from this node's apt sources), timed;
 * - that root filesystem split into a 4-layer gzip image (`usr/lib`, `usr/share`, the rest of `usr`, the rest), plus a
 *   second tag of the same four layers plus a small top layer (an application on a base), pushed to Debian's
 *   `docker-registry` on 127.0.0.1 with skopeo;
 * - pull + unpack cold (nothing present) and warm (the second tag: base layers present) by `nodelet image pull`
 *   (a daemon of its own, driven by the bundled CLI bin/nodelet as users run it), `skopeo copy` + `umoci unpack`,
 *   `podman pull` and containerd's `ctr image pull` (each with its own storage in a temp dir; skipped when not
 *   installed);
 * - the daemon's peak RSS growth while pulling a 1 GB image (4 layers of 256 MiB of incompressible files): the
 *   kernel's high-water mark (VmHWM), reset through /proc/PID/clear_refs just before the pull. Goal: under 50 MB.
 *
 * Run: node dist/bench/images-bench.js [--packages "python3 git curl"]
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { closeSync, createReadStream, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Image } from "../src/api/image.js";
import { TestDaemon } from "../test/helpers/daemon.js";
import { startRegistry, type TestRegistry } from "../test/helpers/registry.js";
import { waitFor } from "../test/helpers/wait.js";
import { have, printTable } from "./lib.js";

const argValue = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const PACKAGES = argValue("packages", "python3 git curl").split(/\s+/).filter(Boolean);
const MB = 1e6;
const TEN_MINUTES = 600_000;

function run(argv: string[], timeout = TEN_MINUTES, env: NodeJS.ProcessEnv = {}): string {
  try {
    return execFileSync(argv[0], argv.slice(1), { stdio: ["ignore", "pipe", "pipe"], timeout, env: { ...process.env, ...env }, maxBuffer: 64 << 20 }).toString();
  } catch (err) {
    const e = err as { stderr?: Buffer };
    throw new Error(`${argv.join(" ")}: ${e.stderr?.toString().slice(-2000) ?? String(err)}`, { cause: err });
  }
}

function timed(argv: string[][], env: NodeJS.ProcessEnv = {}): number {
  const t0 = performance.now();
  for (const a of argv) run(a, TEN_MINUTES, env);
  return (performance.now() - t0) / 1000;
}

async function fileSha256(path: string): Promise<string> {
  const h = createHash("sha256");
  for await (const c of createReadStream(path)) h.update(c as Buffer);
  return `sha256:${h.digest("hex")}`;
}

interface Layer {
  digest: string;
  diffID: string;
  size: number;
}

/** An OCI layout on disk, written from layer tars as files (nothing held in memory: the 1 GB image passes through). */
class Layout {
  private readonly manifests: object[] = [];
  constructor(readonly dir: string) {
    mkdirSync(join(dir, "blobs/sha256"), { recursive: true });
    writeFileSync(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  }

  /** Gzips a layer tar into the layout (the tar is removed). */
  async layer(tar: string): Promise<Layer> {
    const diffID = await fileSha256(tar);
    const gz = `${tar}.gz`;
    const fd = openSync(gz, "w");
    try {
      execFileSync("gzip", ["-n", "-6", "-c", tar], { stdio: ["ignore", fd, "pipe"], timeout: TEN_MINUTES });
    } finally {
      closeSync(fd);
    }
    const digest = await fileSha256(gz);
    run(["mv", gz, join(this.dir, "blobs/sha256", digest.slice(7))]);
    rmSync(tar);
    return { digest, diffID, size: statSync(join(this.dir, "blobs/sha256", digest.slice(7))).size };
  }

  image(name: string, layers: Layer[]): void {
    const put = (b: Buffer) => {
      const d = `sha256:${createHash("sha256").update(b).digest("hex")}`;
      writeFileSync(join(this.dir, "blobs/sha256", d.slice(7)), b);
      return d;
    };
    const config = Buffer.from(JSON.stringify({
      architecture: process.arch === "arm64" ? "arm64" : "amd64", os: "linux", config: { Cmd: ["bash"] },
      rootfs: { type: "layers", diff_ids: layers.map((l) => l.diffID) },
    }));
    const manifest = Buffer.from(JSON.stringify({
      schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: put(config), size: config.length },
      layers: layers.map((l) => ({ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: l.digest, size: l.size })),
    }));
    this.manifests.push({ mediaType: "application/vnd.oci.image.manifest.v1+json", digest: put(manifest), size: manifest.length, annotations: { "org.opencontainers.image.ref.name": name } });
    writeFileSync(join(this.dir, "index.json"), JSON.stringify({ schemaVersion: 2, manifests: this.manifests }));
  }

  push(reg: TestRegistry, name: string, to: string): void {
    run(["skopeo", "--insecure-policy", "copy", "--quiet", "--dest-tls-verify=false", `oci:${this.dir}:${name}`, `docker://${reg.host}/${to}`]);
  }
}

/** A tar of `paths` under `root` (GNU tar, numeric owners, sorted), excluding `exclude`. */
function tarOf(root: string, out: string, paths: string[], exclude: string[] = []): string {
  run(["tar", "--sort=name", "--numeric-owner", "--xattrs", "--xattrs-include=*", ...exclude.map((e) => `--exclude=${e}`), "-C", root, "-cf", out, ...paths]);
  return out;
}

function vm(pid: number, field: "VmRSS" | "VmHWM"): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) * 1024 : NaN;
}

/** The CLI users run (bin/nodelet: the bundle make build writes), not the test helper's unbundled modules. */
const CLI = fileURLToPath(new URL("../../bin/nodelet", import.meta.url));

async function nodeletPull(d: TestDaemon, ref: string): Promise<number> {
  const t0 = performance.now();
  run([process.execPath, CLI, "image", "pull", ref], TEN_MINUTES, { NODELET_SOCKET: d.socket });
  return (performance.now() - t0) / 1000;
}

/** A containerd of its own (root, state, socket in `dir`), for `ctr image pull`; stopped by the caller. */
async function startContainerd(dir: string): Promise<{ sock: string; child: ChildProcess }> {
  const sock = join(dir, "containerd.sock");
  writeFileSync(join(dir, "config.toml"), [
    "version = 2",
    `root = "${join(dir, "root")}"`,
    `state = "${join(dir, "state")}"`,
    `disabled_plugins = ["io.containerd.grpc.v1.cri"]`,
    "[grpc]",
    `  address = "${sock}"`,
    "[ttrpc]",
    `  address = "${sock}.ttrpc"`,
    "",
  ].join("\n"));
  const child = spawn("containerd", ["--config", join(dir, "config.toml")], { stdio: "ignore" });
  await waitFor("containerd's socket", () => {
    try {
      run(["ctr", "-a", sock, "version"], 5_000);
      return true;
    } catch {
      return false;
    }
  }, 60_000, 200);
  return { sock, child };
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error("the images bench needs root");
  const work = mkdtempSync(join(tmpdir(), "nodelet-images-bench-"));
  const reg = await startRegistry();
  const d = new TestDaemon("images-bench", ["--no-network"]); // a loopback registry is insecure by default
  const rows: string[][] = [];
  // Each peer's cold and warm time beside nodelet's, as the ratio nodelet / peer (under 1: nodelet is faster).
  const ratio = (ours: number, theirs: number) => `${theirs.toFixed(1)} (${(ours / theirs).toFixed(2)})`;
  let containerd: ChildProcess | undefined;
  try {
    await d.start();
    // 1. The Debian image, built by the verb under test.
    const t0 = performance.now();
    const built = await d.cli(["image", "build", "--debian", ...PACKAGES, "--tag", "bench/debian:built"], undefined, {}, 3 * TEN_MINUTES);
    if (built.code !== 0) throw new Error(`image build --debian (exit ${built.code}): ${built.stderr}${built.stdout}`);
    const buildS = (performance.now() - t0) / 1000;
    const img = JSON.parse((await d.cli(["image", "inspect", "bench/debian:built"])).stdout) as Image[];
    const rootfs = img[0].lowerDirs[0];
    console.log(`image build --debian ${PACKAGES.join(" ")}: ${buildS.toFixed(1)} s, ${(img[0].size / MB).toFixed(1)} MB`);

    // 2. A 4-layer image of it, and a second tag on the same base.
    const layout = new Layout(join(work, "layout"));
    const rest = await layout.layer(tarOf(rootfs, join(work, "l0.tar"), ["."], ["./usr"]));
    const usr = await layout.layer(tarOf(rootfs, join(work, "l1.tar"), ["./usr"], ["./usr/lib", "./usr/share"]));
    const lib = await layout.layer(tarOf(rootfs, join(work, "l2.tar"), ["./usr/lib"]));
    const share = await layout.layer(tarOf(rootfs, join(work, "l3.tar"), ["./usr/share"]));
    // The warm tag is an application on top of the same base: the four layers plus a small one of its own.
    const app = join(work, "app");
    mkdirSync(join(app, "opt/app"), { recursive: true });
    writeFileSync(join(app, "opt/app/app.py"), `print(${JSON.stringify(randomBytes(16).toString("hex"))})\n`);
    const top = await layout.layer(tarOf(app, join(work, "l4.tar"), ["."]));
    layout.image("cold", [rest, usr, lib, share]);
    layout.image("warm", [rest, usr, lib, share, top]);
    const compressed = [rest, usr, lib, share].reduce((n, l) => n + l.size, 0);
    layout.push(reg, "cold", "bench/debian:cold");
    layout.push(reg, "warm", "bench/debian:warm");
    console.log(`pull image: 4 gzip layers, ${(compressed / MB).toFixed(1)} MB compressed; warm tag: the same 4 layers and a ${top.size}-byte top layer`);
    const cold = `${reg.host}/bench/debian:cold`;
    const warm = `${reg.host}/bench/debian:warm`;

    // 3. Cold and warm pulls, each tool with its own storage.
    const nodeletCold = await nodeletPull(d, cold);
    const nodeletWarm = await nodeletPull(d, warm);
    rows.push(["nodelet image pull", `${nodeletCold.toFixed(1)} (1.00)`, `${nodeletWarm.toFixed(1)} (1.00)`]);
    if (have("skopeo") && have("umoci")) {
      const oci = join(work, "skopeo-oci");
      const sk = (tag: string) => ["skopeo", "--insecure-policy", "copy", "--quiet", "--src-tls-verify=false", `docker://${reg.host}/bench/debian:${tag}`, `oci:${oci}:${tag}`];
      const um = (tag: string) => ["umoci", "unpack", "--image", `${oci}:${tag}`, join(work, `bundle-${tag}`)];
      const copyCold = timed([sk("cold")]);
      const unpackCold = timed([um("cold")]);
      const copyWarm = timed([sk("warm")]);
      const unpackWarm = timed([um("warm")]);
      rows.push([`skopeo copy + umoci unpack (copy ${copyCold.toFixed(1)} + ${copyWarm.toFixed(1)} s)`, ratio(nodeletCold, copyCold + unpackCold), ratio(nodeletWarm, copyWarm + unpackWarm)]);
      rmSync(join(work, "bundle-cold"), { recursive: true, force: true });
      rmSync(join(work, "bundle-warm"), { recursive: true, force: true });
    } else rows.push(["skopeo copy + umoci unpack", "not installed", ""]);
    if (have("podman")) {
      const p = join(work, "podman");
      const pull = (tag: string) => [["podman", "--root", join(p, "root"), "--runroot", join(p, "run"), "--storage-driver", "overlay", "--events-backend", "none", "pull", "--quiet", "--tls-verify=false", `${reg.host}/bench/debian:${tag}`]];
      rows.push(["podman pull", ratio(nodeletCold, timed(pull("cold"))), ratio(nodeletWarm, timed(pull("warm")))]);
      run(["podman", "--root", join(p, "root"), "--runroot", join(p, "run"), "--storage-driver", "overlay", "--events-backend", "none", "system", "reset", "--force"]);
    } else rows.push(["podman pull", "not installed", ""]);
    if (have("containerd") && have("ctr")) {
      const c = await startContainerd(mkdtempSync(join(work, "containerd-")));
      containerd = c.child;
      const pull = (tag: string) => [["ctr", "-a", c.sock, "-n", "bench", "image", "pull", "--plain-http", `${reg.host}/bench/debian:${tag}`]];
      rows.push(["ctr image pull (containerd)", ratio(nodeletCold, timed(pull("cold"))), ratio(nodeletWarm, timed(pull("warm")))]);
    } else rows.push(["ctr image pull (containerd)", "not installed", ""]);
    console.log("\npull + unpack of the Debian image, seconds (one run each; the machine is shared: compare ratios)");
    printTable(["tool", "cold s (nodelet / it)", "warm s (nodelet / it)"], rows);

    // 4. Peak RSS of the daemon while pulling a 1 GB image.
    const big = new Layout(join(work, "big"));
    const bigLayers: Layer[] = [];
    for (let i = 0; i < 4; i++) {
      const dir = join(work, `big-${i}`);
      mkdirSync(join(dir, "data"), { recursive: true });
      for (let f = 0; f < 16; f++) {
        const fd = openSync(join(dir, "data", `f${f}`), "w");
        for (let m = 0; m < 16; m++) writeSync(fd, randomBytes(1 << 20));
        closeSync(fd);
      }
      bigLayers.push(await big.layer(tarOf(dir, join(work, `big-${i}.tar`), ["."])));
      rmSync(dir, { recursive: true, force: true });
    }
    big.image("big", bigLayers);
    big.push(reg, "big", "bench/big:1g");
    const pid = d.pid!;
    const before = vm(pid, "VmRSS");
    writeFileSync(`/proc/${pid}/clear_refs`, "5"); // resets VmHWM to the current RSS
    const bigS = await nodeletPull(d, `${reg.host}/bench/big:1g`);
    const peak = vm(pid, "VmHWM");
    const total = bigLayers.reduce((n, l) => n + l.size, 0);
    console.log(`\nnodelet daemon pulling a ${(total / MB).toFixed(0)} MB image (4 layers): ${bigS.toFixed(1)} s; RSS ${(before / MB).toFixed(1)} MB before, peak ${(peak / MB).toFixed(1)} MB: grew ${((peak - before) / MB).toFixed(1)} MB (goal: under 50 MB)`);
  } finally {
    containerd?.kill("SIGTERM");
    await d.cleanup();
    await reg.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
