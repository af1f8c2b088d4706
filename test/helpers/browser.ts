/**
 * Headless Chromium (Debian's package, no browser download) for browser tests, driven by puppeteer-core over a pipe,
 * in a network namespace of its own (unshare --net --pid --fork): Chromium fails requests in flight with
 * ERR_NETWORK_CHANGED whenever the host's links change, and on a node that runs pods (ours and other tests') veths
 * come and go all the time. Inside, the only link is loopback, and each port the test names is carried to the host's
 * 127.0.0.1 by a pair of socat relays over a unix socket (unix sockets cross network namespaces). The namespace's
 * processes die with Chromium (it is the pid namespace's init); close() also stops the host-side relays and removes
 * the directory.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import puppeteer, { type Browser } from "puppeteer-core";
import { waitFor } from "./wait.js";
import { existsSync } from "node:fs";

export const CHROMIUM = "/usr/bin/chromium";

export interface IsolatedBrowser {
  browser: Browser;
  close(): Promise<void>;
}

/** Chromium in its own network namespace, reaching the host's 127.0.0.1 on exactly `ports`. */
export async function launchIsolatedChromium(ports: number[]): Promise<IsolatedBrowser> {
  const dir = mkdtempSync(join(tmpdir(), "nodelet-browser-"));
  const relays: ChildProcess[] = [];
  const stop = async () => {
    for (const r of relays) r.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const port of ports) {
      const sock = join(dir, `${port}.sock`);
      relays.push(spawn("socat", [`UNIX-LISTEN:${sock},fork,mode=600`, `TCP:127.0.0.1:${port}`], { stdio: "ignore" }));
      await waitFor(`the relay of port ${port}`, () => existsSync(sock), 10_000, 20);
    }
    const inner = join(dir, "inner.sh");
    writeFileSync(
      inner,
      [
        "#!/bin/sh",
        "ip link set lo up || exit 1",
        ...ports.map((p) => `socat TCP-LISTEN:${p},bind=127.0.0.1,fork,reuseaddr UNIX-CONNECT:${join(dir, `${p}.sock`)} &`),
        `exec ${CHROMIUM} "$@"`,
        "",
      ].join("\n"),
    );
    const launcher = join(dir, "chromium.sh");
    writeFileSync(launcher, `#!/bin/sh\nexec unshare --net --pid --fork /bin/sh ${inner} "$@"\n`);
    chmodSync(launcher, 0o700);
    const browser = await puppeteer.launch({
      executablePath: launcher,
      pipe: true,
      headless: true,
      acceptInsecureCerts: true,
      userDataDir: join(dir, "profile"),
      args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"],
    });
    return {
      browser,
      async close() {
        await browser.close().catch(() => undefined);
        await stop();
      },
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
