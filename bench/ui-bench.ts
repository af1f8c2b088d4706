/**
 * The web view's cost on a busy node, measured on a real daemon (needs root and Debian's chromium): N pods, each
 * behind a Service of its own, then the daemon's CPU over windows without a page, with a headless page open on the
 * topology, with the page open while connections go to some of the Services (counters that move), and without a page
 * again (the first and last windows show the machine's drift). The daemon's CPU is its own
 * (utime + stime) plus its children's: the living ones' (the fork server that execs its nft / iptables-save / ip, the
 * monitor zygote) and what they and the daemon reaped (cutime + cstime), read from /proc/PID/stat; the load average is printed beside each window because the machine is shared. Goal (issue #16):
 * the page's extra under 1% of a core.
 *
 * Run: node dist/bench/ui-bench.js [--pods N] [--seconds N] [--proxy-mode nftables|iptables]
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { readProcStat } from "../src/sys/proc.js";
import { launchIsolatedChromium } from "../test/helpers/browser.js";
import { eventually, TestDaemon } from "../test/helpers/daemon.js";
import { freePort } from "../test/helpers/ports.js";
import { printTable } from "./lib.js";

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const PODS = Number(arg("pods", "100"));
const SECONDS = Number(arg("seconds", "60"));
const PROXY_MODE = arg("proxy-mode", "nftables");

const podYaml = (i: number) =>
  `apiVersion: v1\nkind: Pod\nmetadata: {name: ui-${i}, labels: {app: ui-${i}}}\nspec:\n  terminationGracePeriodSeconds: 0\n  containers:\n  - name: c\n    image: busybox\n    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]\n`;
const serviceYaml = (i: number) => `apiVersion: v1\nkind: Service\nmetadata: {name: ui-${i}}\nspec:\n  selector: {app: ui-${i}}\n  ports: [{port: 80}]\n`;

/**
 * CPU ticks (USER_HZ, 100 a second) of the daemon, and of its helper processes (its living children: the fork
 * server that runs its commands, the monitor zygote, pods' sandboxes) with the commands they and the daemon reaped.
 */
function ticks(pid: number): { own: number; children: number } {
  const st = readProcStat(pid);
  if (!st) throw new Error(`the daemon (pid ${pid}) is gone`);
  let children = st.cutime + st.cstime;
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const c = readProcStat(Number(name));
    if (c?.ppid === pid) children += c.utime + c.stime + c.cutime + c.cstime;
  }
  return { own: st.utime + st.stime, children };
}

const pct = (ticks: number, seconds: number) => `${((ticks / 100 / seconds) * 100).toFixed(2)}%`;

async function window(pid: number, what: string): Promise<string[]> {
  const load0 = loadavg()[0];
  const t0 = Date.now();
  const c0 = ticks(pid);
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const c1 = ticks(pid);
  const wall = (Date.now() - t0) / 1000;
  const own = c1.own - c0.own;
  const children = c1.children - c0.children;
  return [what, pct(own, wall), pct(children, wall), pct(own + children, wall), `${load0.toFixed(1)} → ${loadavg()[0].toFixed(1)}`];
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error("the web view bench needs root (it runs a real daemon)");
  const port = await freePort();
  const d = new TestDaemon("ui-bench", ["--listen", `127.0.0.1:${port}`, "--proxy-mode", PROXY_MODE]);
  const rows: string[][] = [];
  let browser: Awaited<ReturnType<typeof launchIsolatedChromium>> | undefined;
  try {
    await d.start();
    const file = join(d.root, "ui-bench.yaml");
    writeFileSync(file, [...Array(PODS).keys()].flatMap((i) => [podYaml(i), serviceYaml(i)]).join("---\n"));
    const applied = await d.cli(["apply", "-f", file], undefined, {}, 900_000);
    if (applied.code !== 0) throw new Error(`apply (exit ${applied.code}): ${applied.stderr}${applied.stdout.slice(-2000)}`);
    await eventually(async () => {
      const r = await d.cli(["get", "pods", "-o", "json"]);
      const items = (JSON.parse(r.stdout) as { items: { status?: { phase?: string } }[] }).items;
      return items.length === PODS && items.every((p) => p.status?.phase === "Running");
    }, 600_000, `${PODS} pods running`);
    // Settle: the endpoints and the proxy's rules follow the pods.
    await new Promise((r) => setTimeout(r, 10_000));
    const pid = d.pid!;
    rows.push(await window(pid, "no page"));

    const token = (parse(readFileSync(join(d.root, "kubeconfig"), "utf8")) as { users: { user: { token: string } }[] }).users[0].user.token;
    browser = await launchIsolatedChromium([port]);
    const page = await browser.browser.newPage();
    await page.setViewport({ width: 1280, height: 800 });
    await page.goto(`https://127.0.0.1:${port}/ui/`);
    await page.waitForSelector("#token");
    await page.type("#token", token);
    await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
    await page.waitForFunction(`document.querySelectorAll("[data-pod]").length === ${PODS}`, { timeout: 120_000 });
    rows.push(await window(pid, "topology page open"));
    // Counters that move: connections to ten of the Services, one a second in all (the pods listen on nothing, so
    // each is DNATed, counted, and answered with a reset by the pod).
    const svcs = (JSON.parse((await d.cli(["get", "services", "-o", "json"])).stdout) as { items: { metadata: { name: string }; spec: { clusterIP?: string } }[] }).items;
    const targets = svcs.filter((x) => /^ui-\d+$/.test(x.metadata.name) && x.spec.clusterIP).slice(0, 10).map((x) => x.spec.clusterIP!);
    let n = 0;
    const traffic = setInterval(() => {
      const c = connect({ host: targets[n++ % targets.length], port: 80 });
      c.on("error", () => c.destroy());
      c.on("connect", () => c.destroy());
    }, 1000);
    try {
      rows.push(await window(pid, "page open, 1 connection/s to Services"));
    } finally {
      clearInterval(traffic);
    }
    await page.close();
    rows.push(await window(pid, "page closed"));
  } finally {
    await browser?.close();
    await d.cleanup();
  }
  console.log(`\nweb view bench: ${PODS} pods and Services (--proxy-mode ${PROXY_MODE}), ${SECONDS} s windows, ${cpus().length} cores, node ${process.version}`);
  printTable(["window", "daemon", "its helpers + commands (nft…)", "total (% of a core)", "load average"], rows);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
