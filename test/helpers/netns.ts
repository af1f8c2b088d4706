/**
 * Network fixtures for privileged tests: throwaway network namespaces joined to the host by a veth pair (a second
 * host, "the internet"), commands run inside a pod's or a test namespace's network namespace, and probes of what
 * is left on the host (veths, routes, rule tables). Everything created here is removed by remove(), even when the
 * test failed; names carry the test process's pid so parallel runs never collide.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { waitFor } from "./wait.js";
import { HostRunner, plainRunner, type RunOptions, type RunResult } from "../../src/sys/runner.js";

export function sh(argv: string[], input?: string, timeoutMs = 15_000): Promise<RunResult> {
  return plainRunner.run(argv, { input, allowFail: true, timeoutMs });
}

/**
 * A runner whose commands run in a named network namespace (`ip netns add`), so real proxier code can write its
 * rules where the host's are never touched. `nsenter --net` is cheap; `ip netns exec` remounts /sys (~100 ms).
 */
export class NetnsRunner extends HostRunner {
  constructor(private readonly ns: string) {
    super();
  }
  override run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
    return super.run(["nsenter", `--net=/run/netns/${this.ns}`, ...argv], opts);
  }
}

/** argv run inside the network namespace of a host pid (a pod's pause process). */
export function inPid(pid: number, argv: string[]): string[] {
  return ["nsenter", `--net=/proc/${pid}/ns/net`, ...argv];
}

/** A named network namespace (ip netns add) linked to the host by a veth pair with a /24 or /30 between them. */
export class PeerNamespace {
  private constructor(
    readonly name: string,
    /** The host end's interface and address (what the peer routes through). */
    readonly hostIf: string,
    readonly hostAddr: string,
    readonly peerAddr: string,
  ) {}

  /**
   * Creates namespace NAME with eth0 = peerCidr's address, the host end NAME-h with hostCidr's address, and a
   * default route in the namespace via the host end. Example: create("nt1", "198.51.100.1/30", "198.51.100.2/30").
   */
  static async create(name: string, hostCidr: string, peerCidr: string): Promise<PeerNamespace> {
    const hostIf = `${name}h`;
    const ns = new PeerNamespace(name, hostIf, hostCidr.split("/")[0], peerCidr.split("/")[0]);
    await ns.remove();
    const steps = [
      ["ip", "netns", "add", name],
      ["ip", "link", "add", hostIf, "type", "veth", "peer", "name", "eth0", "netns", name],
      ["ip", "addr", "add", hostCidr, "dev", hostIf],
      ["ip", "link", "set", hostIf, "up"],
      ["ip", "-n", name, "addr", "add", peerCidr, "dev", "eth0"],
      ["ip", "-n", name, "link", "set", "eth0", "up"],
      ["ip", "-n", name, "link", "set", "lo", "up"],
      ["ip", "-n", name, "route", "add", "default", "via", ns.hostAddr],
    ];
    for (const argv of steps) {
      const r = await sh(argv);
      if (r.code !== 0) {
        await ns.remove();
        throw new Error(`${argv.join(" ")}: ${r.stderr.trim()}`);
      }
    }
    return ns;
  }

  argv(argv: string[]): string[] {
    return ["ip", "netns", "exec", this.name, ...argv];
  }

  run(argv: string[], input?: string, timeoutMs?: number): Promise<RunResult> {
    return sh(this.argv(argv), input, timeoutMs);
  }

  spawn(argv: string[]): ChildProcess {
    return spawn("ip", ["netns", "exec", this.name, ...argv], { stdio: ["ignore", "pipe", "pipe"] });
  }

  async remove(): Promise<void> {
    await sh(["ip", "link", "del", this.hostIf]);
    await sh(["ip", "netns", "del", this.name]);
  }
}

/** Names of every veth in the host namespace. */
export async function hostVeths(): Promise<string[]> {
  const r = await sh(["ip", "-json", "link", "show", "type", "veth"]);
  return (JSON.parse(r.stdout || "[]") as { ifname: string }[]).map((l) => l.ifname);
}

/** Ports of a bridge (empty when it does not exist). */
export async function bridgePorts(bridge: string): Promise<string[]> {
  const r = await sh(["ip", "-json", "link", "show", "master", bridge]);
  return r.code === 0 ? (JSON.parse(r.stdout || "[]") as { ifname: string }[]).map((l) => l.ifname) : [];
}

export async function linkExists(name: string): Promise<boolean> {
  return (await sh(["ip", "link", "show", name])).code === 0;
}

export async function nftTableExists(family: string, name: string): Promise<boolean> {
  return (await sh(["nft", "list", "table", family, name])).code === 0;
}

/** iptables-save lines (both variants) mentioning `text`. */
export async function iptablesLinesWith(text: string): Promise<string[]> {
  const out: string[] = [];
  for (const bin of ["iptables-nft-save", "iptables-legacy-save"]) {
    const r = await sh([bin]);
    out.push(...r.stdout.split("\n").filter((l) => l.includes(text)));
  }
  return out;
}

export async function routesTo(dst: string): Promise<string[]> {
  const r = await sh(["ip", "-4", "route", "show", "table", "main"]);
  return r.stdout.split("\n").filter((l) => l.includes(dst));
}

/** Polls `check` until it returns true or the time is up. */
export { waitFor };

/** Spawns a long-running helper (a listener) and returns it with a promise of all its stdout once it exits. */
export function background(argv: string[]): { child: ChildProcess; output: Promise<string>; stop(): void } {
  const child = spawn(argv[0], argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
  const chunks: Buffer[] = [];
  child.stdout.on("data", (d: Buffer) => chunks.push(d));
  child.stderr.on("data", (d: Buffer) => chunks.push(d));
  const output = new Promise<string>((resolve) => child.on("close", () => resolve(Buffer.concat(chunks).toString())));
  return { child, output, stop: () => void child.kill("SIGKILL") };
}

/** Waits until a TCP connection to host:port succeeds (a server in a pod has started). */
export async function waitForTcp(host: string, port: number, timeoutMs = 5000): Promise<void> {
  const { connect } = await import("node:net");
  await waitFor(`${host}:${port} to accept connections`, () =>
    new Promise<boolean>((resolve) => {
      const s = connect({ host, port, timeout: 500 });
      s.once("timeout", () => {
        s.destroy();
        resolve(false);
      });
      s.once("connect", () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
    }), timeoutMs);
}
