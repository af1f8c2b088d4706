/**
 * The web view in a real browser (Debian's headless Chromium, driven by puppeteer-core without a browser download)
 * against one real daemon with real pods: log in, the topology shows the pods and a Service pointing at its ready
 * endpoint, a pod created through the API appears within a second and disappears when deleted, every pod is reachable
 * by keyboard, the pod page shows a following log, a chart that gains points and the explain view's veth and cgroup;
 * logout; the session cookie's attributes; `nodelet dashboard`'s one-time URL. Screenshots go to
 * dist/test-artifacts/ui/.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Page } from "puppeteer-core";
import { parse } from "yaml";
import { NODELET, suiteDaemon } from "../helpers/daemon.js";
import { freePort } from "../helpers/ports.js";
import { launchIsolatedChromium, type IsolatedBrowser } from "../helpers/browser.js";
import { needsCommand, needsRoot } from "../helpers/root.js";
import { waitFor } from "../helpers/wait.js";

const skip = needsRoot() || needsCommand("chromium");
const NOBODY_TOKEN = "nobody-token-0123456789abcdef";
const ARTIFACTS = fileURLToPath(new URL("../../test-artifacts/ui/", import.meta.url));

function pod(name: string, labels: string): string {
  return `apiVersion: v1
kind: Pod
metadata: {name: ${name}, labels: {${labels}}}
spec:
  terminationGracePeriodSeconds: 0
  containers:
  - name: main
    image: busybox
    command: [sh, -c, 'echo hello-from-${name}; httpd -p 8080 -h /etc; while true; do echo tick $(date +%s); sleep 1; done']
    resources: {requests: {cpu: 50m, memory: 16Mi}, limits: {cpu: 200m, memory: 64Mi}}
`;
}

/** One HTTP GET's body (from the test's process: the host's network namespace). */
function httpGet(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { timeout: 10_000 }, (res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => resolve(body));
    });
    req.on("timeout", () => req.destroy(new Error(`GET ${url}: timed out`)));
    req.on("error", reject);
    req.end();
  });
}

/** Selected by the Service, never ready until /tmp/ready exists. */
const NOT_READY_POD = `apiVersion: v1
kind: Pod
metadata: {name: web-c, labels: {app: web}}
spec:
  terminationGracePeriodSeconds: 0
  containers:
  - name: main
    image: busybox
    command: [sh, -c, 'httpd -p 8080 -h /etc; sleep 3600']
    readinessProbe: {exec: {command: [test, -e, /tmp/ready]}, periodSeconds: 1}
`;

const SERVICE = `apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
`;

describe("web view in headless Chromium (privileged daemon)", { skip }, () => {
  let port = 0;
  let dashboardPort = 0;
  let isolated: IsolatedBrowser;
  const d = suiteDaemon("ui-browser", [], {
    async beforeStart(daemon) {
      port = await freePort();
      // A user the API knows but RBAC grants nothing: the pod page must say it is forbidden.
      writeFileSync(join(daemon.root, "tokens.csv"), `${NOBODY_TOKEN},nobody,2001\n`, { mode: 0o600 });
      // nftables: its rules count a Service edge's packets and bytes as well as its connections.
      daemon.extraArgs.push("--listen", `127.0.0.1:${port}`, "--token-auth-file", join(daemon.root, "tokens.csv"), "--proxy-mode", "nftables");
    },
  });
  let browser: Browser;
  let page: Page;
  let base = "";
  let token = "";
  /** What the page said, shown when a step fails. */
  let consoleLog = "";
  const step = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw new Error(`${what}: ${err instanceof Error ? err.message : String(err)}\n${consoleLog}\npage: ${(await page.content().catch(() => "")).slice(0, 3000)}`, { cause: err });
    }
  };

  // Expressions evaluated in the page as strings: the test is compiled without the DOM's types.
  const inPage = async <T>(p: Page, expr: string): Promise<T> => (await p.evaluate(expr)) as T;
  const textIn = (p: Page, selector: string) => inPage<string>(p, `document.querySelector(${JSON.stringify(selector)})?.textContent ?? ""`);
  const text = (selector: string) => textIn(page, selector);
  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    base = `https://127.0.0.1:${port}`;
    const kubeconfig = parse(readFileSync(join(d.root, "kubeconfig"), "utf8")) as { users: { user: { token: string } }[] };
    token = kubeconfig.users[0].user.token;
    assert.equal((await d.cli(["apply", "-f", "-"], `${pod("web-a", "app: web")}---\n${SERVICE}`)).code, 0);
    await waitFor("web-a running", async () => (await d.pod("web-a"))?.status?.phase === "Running", 60_000, 100);
    dashboardPort = await freePort();
    isolated = await launchIsolatedChromium([port, dashboardPort]);
    browser = isolated.browser;
    page = await browser.newPage();
    page.on("console", (m) => void (consoleLog += `console: ${m.text()}\n`));
    page.on("pageerror", (e) => void (consoleLog += `page error: ${String(e)}\n`));
    await page.setViewport({ width: 1280, height: 800 });
  });
  after(async () => {
    await isolated?.close();
  });

  test("login, topology with the pods and the Service, live updates, keyboard, cookie attributes", async () => {
    await step("the login form", async () => {
      await page.goto(`${base}/ui/`);
      await page.waitForSelector("#token");
    });
    const unauthenticated = await page.evaluate(async () => (await fetch("/ui/api/topology")).status);
    assert.equal(unauthenticated, 401, "data endpoints without a session");
    await page.type("#token", token);
    await step("login", () => Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]));
    await step("the topology", () => page.waitForSelector('[data-pod="pod/default/web-a"]'));
    assert.match(await text("#who"), /Logged in as nodelet-admin/);

    const cookie = (await page.cookies()).find((c) => c.name === "nodelet_session");
    assert.ok(cookie, "a session cookie");
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.secure, true);
    assert.equal(cookie.sameSite, "Strict");
    assert.equal(cookie.path, "/ui/");
    assert.equal(await page.evaluate("document.cookie"), "", "the script cannot read it");

    await waitFor("web-a ready in the topology", async () => /ready/.test(await text('[data-pod="pod/default/web-a"]')), 60_000, 100);
    // The endpoint with its rule's counter: connections to the cluster IP (here from the test's own network
    // namespace: the host's) make it grow.
    const endpointOnly = /→ default\/web-a( \(\d+ connections?[^)]*\))?$/;
    await waitFor("the Service's edge to its ready endpoint", async () => endpointOnly.test(await text('[data-service="svc/default/web"]')), 30_000, 100);
    const edge = '[data-edge="ep/svc/default/web>pod/default/web-a"]';
    const connections = async () => Number(/\((\d+) connections?/.exec(await text(edge))?.[1] ?? NaN);
    const packets = async () => Number(/connections?, (\d+) pkt [\d.]+ [KMG]?i?B both ways\)/.exec(await text(edge))?.[1] ?? NaN);
    await waitFor("the endpoint's counter", async () => !Number.isNaN(await connections()), 10_000, 100);
    const before = await connections();
    // The pod's veth, with its interface statistics (the host end: what it transmits goes to the pod).
    const toPod = async () => Number(/to pod (\d+) pkt/.exec(await text('[data-edge="veth/pod/default/web-a"]'))?.[1] ?? NaN);
    await waitFor("the veth's counters", async () => !Number.isNaN(await toPod()), 10_000, 100);
    const toPodBefore = await toPod();
    const clusterIP = (await d.client.request<{ spec: { clusterIP: string } }>("GET", "/api/v1/namespaces/default/services/web")).spec.clusterIP;
    for (let i = 0; i < 3; i++) assert.match(await httpGet(`http://${clusterIP}/hosts`), /localhost/);
    await waitFor("the endpoint's counter to count 3 more connections", async () => (await connections()) >= before + 3, 20_000, 100);
    // Every packet of those connections both ways: a TCP exchange is at least 3 packets each way.
    await waitFor("the veth's counters to grow", async () => (await toPod()) >= toPodBefore + 6, 10_000, 100);
    await waitFor("the endpoint's packets and bytes", async () => (await packets()) >= 6 * ((await connections()) - before), 20_000, 100);
    await waitFor("the graph drawn", async () => (await inPage<number>(page, `document.querySelectorAll(".graph canvas").length`)) > 0, 10_000, 100);
    await shot("topology");

    // Created through the API: in the page within a second of the API's answer.
    const created = await d.client.request("POST", "/api/v1/namespaces/default/pods", { body: { apiVersion: "v1", kind: "Pod", metadata: { name: "web-b", labels: { app: "other" } }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: "main", image: "busybox", command: ["sleep", "3600"] }] } } });
    assert.ok(created);
    const t0 = Date.now();
    await page.waitForSelector('[data-pod="pod/default/web-b"]', { timeout: 5000 });
    const appearedMs = Date.now() - t0;
    assert.ok(appearedMs <= 1000, `a created pod appeared in ${appearedMs} ms`);
    assert.match(await text('[data-service="svc/default/web"]'), endpointOnly, "the Service points at exactly its ready endpoints");

    // A pod the Service selects but whose readiness probe fails is no edge of it (the list and the topology the graph
    // draws); once ready it is one, and deleted it is gone again.
    const endpointsOf = (svc: string) => inPage<string[]>(page, `fetch("/ui/api/topology").then((r) => r.json()).then((t) => t.edges.filter((e) => e.kind === "endpoint" && e.source === ${JSON.stringify(svc)}).map((e) => e.target).sort())`);
    assert.equal((await d.cli(["apply", "-f", "-"], NOT_READY_POD)).code, 0);
    await waitFor("web-c running, not ready, in the topology", async () => / running /.test(await text('[data-pod="pod/default/web-c"]')), 60_000, 100);
    await waitFor("web-c in the Endpoints as not ready", async () => JSON.stringify(await d.client.request("GET", "/api/v1/namespaces/default/endpoints/web")).includes('"notReadyAddresses"'), 30_000, 100);
    assert.deepEqual(await endpointsOf("svc/default/web"), ["pod/default/web-a"], "a not-ready pod is no endpoint edge");
    assert.match(await text('[data-service="svc/default/web"]'), endpointOnly);
    assert.equal((await d.cli(["exec", "web-c", "--", "touch", "/tmp/ready"])).code, 0);
    await waitFor("web-c's edge once it is ready", async () => (await text('[data-service="svc/default/web"]')).includes("default/web-c"), 30_000, 100);
    assert.deepEqual(await endpointsOf("svc/default/web"), ["pod/default/web-a", "pod/default/web-c"]);
    await d.client.request("DELETE", "/api/v1/namespaces/default/pods/web-c?gracePeriodSeconds=0");
    await waitFor("web-c's edge gone with the pod", async () => endpointOnly.test(await text('[data-service="svc/default/web"]')), 30_000, 100);
    assert.deepEqual(await endpointsOf("svc/default/web"), ["pod/default/web-a"]);

    // Keyboard only: Tab from the top reaches every pod's link.
    const pods = await inPage<string[]>(page, `[...document.querySelectorAll("[data-pod] a")].map((a) => a.getAttribute("href"))`);
    const reached = new Set<string>();
    await page.focus("body");
    for (let i = 0; i < 40 && reached.size < pods.length; i++) {
      await page.keyboard.press("Tab");
      const href = String(await page.evaluate('document.activeElement?.getAttribute("href") ?? ""'));
      if (href.startsWith("#/pod/")) reached.add(href);
    }
    assert.deepEqual([...reached].sort(), [...pods].sort());
    // And Enter on the focused link opens that pod's page.
    const focused = String(await page.evaluate('document.activeElement?.getAttribute("href") ?? ""'));
    await page.keyboard.press("Enter");
    await waitFor("the pod page by keyboard", async () => (await inPage<string>(page, "location.hash")) === focused && (await page.$(".containers table")) !== null, 10_000, 100);
    await page.goBack();
    await page.waitForSelector('[data-pod="pod/default/web-b"]');

    await d.client.request("DELETE", "/api/v1/namespaces/default/pods/web-b?gracePeriodSeconds=0");
    await page.waitForSelector('[data-pod="pod/default/web-b"]', { hidden: true, timeout: 30_000 });
    process.stdout.write(`# web view: a created pod appeared in ${appearedMs} ms\n`);
  });

  test("the pod page: containers, a following log, a chart that gains points, explain's veth and cgroup", async () => {
    await inPage(page, `document.querySelector('[data-pod="pod/default/web-a"] a').click()`);
    await page.waitForSelector(".containers table");
    assert.match(await text(".containers"), /main.*busybox.*running/s);
    await waitFor("the log tail", async () => (await text(".log")).includes("hello-from-web-a"), 30_000, 100);
    const ticks = async () => ((await text(".log")).match(/tick/g) ?? []).length;
    const before = await ticks();
    await waitFor("the log follows", async () => (await ticks()) > before, 10_000, 100);
    const points = async () => Number(await inPage<string>(page, `document.querySelector(".charts")?.getAttribute("data-points") ?? "0"`));
    await waitFor("a first chart point", async () => (await points()) > 0, 30_000, 200);
    const first = await points();
    // The drawing, not only the data: the CPU chart's canvas is another picture once it gained a point.
    const drawn = () => inPage<string>(page, `document.querySelector(".chart canvas").toDataURL()`);
    const picture = await drawn();
    await waitFor("the chart gains a point", async () => (await points()) > first, 30_000, 200);
    assert.notEqual(await drawn(), picture, "the chart drew its new point");
    assert.equal(await inPage<number>(page, `document.querySelectorAll(".chart canvas").length`), 2, "CPU and memory charts");
    assert.match(await text(".containers"), /cpu 50m, memory 16Mi.*cpu 200m, memory 64Mi/s, "requests and limits beside the charts");
    await waitFor("explain", async () => /veth nl[0-9a-f]{13}/.test(await text(".explain-links")), 10_000, 100);
    assert.match(await text(".explain-links"), /cgroup \/sys\/fs\/cgroup\//);
    await waitFor("explain's Service line", async () => (await text('.explain-links [data-kind="service"]')).includes("default/web"), 10_000, 100);
    await shot("pod");
    // A line of explain leads to its place in the topology: Enter on the veth focuses the pod's entry (and selects
    // its edge in the graph); the Service line focuses the Service.
    await page.focus('.explain-links [data-kind="veth"] a');
    await page.keyboard.press("Enter");
    await waitFor("focus on web-a in the topology", async () => (await inPage<string>(page, `document.activeElement?.getAttribute("data-pod") ?? ""`)) === "pod/default/web-a", 10_000, 100);
    assert.equal(await inPage<string>(page, `decodeURIComponent(location.hash)`), "#/?focus=veth/pod/default/web-a");
    await page.goBack();
    await page.waitForSelector('.explain-links [data-kind="service"] a');
    await inPage(page, `document.querySelector('.explain-links [data-kind="service"] a').click()`);
    await waitFor("focus on the Service in the topology", async () => (await inPage<string>(page, `document.activeElement?.getAttribute("data-service") ?? ""`)) === "svc/default/web", 10_000, 100);
    await page.goBack();
    await page.waitForSelector(".containers table");
  });

  test("a phone-sized viewport (390×844): no sideways scrolling, graph and list stacked, every view usable", async () => {
    await page.setViewport({ width: 390, height: 844, isMobile: true, hasTouch: true });
    try {
      // What sticks out of the 390 px (outside tables, logs and the graph, which scroll by themselves: the emulated
      // phone's innerWidth grows with the content, so it is no yardstick), and on failure the widest elements
      // wherever they are.
      const fits = async (what: string) => {
        const r = await inPage<{ page: number; wide: string[]; widest: string[] }>(page, `({ page: document.documentElement.scrollWidth, wide: [...document.querySelectorAll("main *")].filter((e) => e.getBoundingClientRect().right > 391 && !e.closest("table, pre, .graph")).map((e) => e.tagName + "." + e.className).slice(0, 5), widest: [...document.querySelectorAll("body *")].map((e) => [Math.round(e.getBoundingClientRect().right), e.tagName + "." + e.className]).sort((a, b) => b[0] - a[0]).slice(0, 5).map(String) })`);
        assert.deepEqual({ page: r.page, wide: r.wide }, { page: 390, wide: [] }, `${what} fits the width (widest: ${r.widest.join("; ")})`);
      };
      await page.goto(`${base}/ui/#/`);
      await page.waitForSelector('[data-pod="pod/default/web-a"]');
      await waitFor("the graph drawn", async () => (await inPage<number>(page, `document.querySelectorAll(".graph canvas").length`)) > 0, 10_000, 100);
      await fits("the topology");
      const [graph, list] = await inPage<{ top: number; bottom: number; width: number }[]>(page, `[".graph", ".topo-list"].map((s) => { const r = document.querySelector(s).getBoundingClientRect(); return { top: r.top, bottom: r.bottom, width: r.width }; })`);
      assert.ok(list.top >= graph.bottom - 1 && graph.width > 300, `graph ${JSON.stringify(graph)} above the list ${JSON.stringify(list)}`);
      await shot("topology-phone");
      await page.goto(`${base}/ui/#/pod/default/web-a`);
      await page.waitForSelector(".containers table");
      await waitFor("the pod page's charts", async () => (await inPage<number>(page, `document.querySelectorAll(".chart canvas").length`)) === 2, 10_000, 100);
      await fits("the pod page");
      await shot("pod-phone");
      await page.goto(`${base}/ui/#/node`);
      await page.waitForSelector(".node-card");
      await fits("the node page");
      await shot("node-phone");
    } finally {
      await page.setViewport({ width: 1280, height: 800 });
    }
  });

  test("node status and the live event stream; logout ends the session", async () => {
    await page.click("#nav-node");
    await page.waitForSelector(".node-card");
    assert.match(await text(".node-card"), /Ready/);
    assert.match(await text(".node-card"), /allocatable/i);
    await waitFor("events of web-a listed", async () => (await text(".event-list")).includes("web-a"), 10_000, 100);
    await page.type("#f-text", "no-such-event-text");
    await waitFor("the filter applies", async () => !(await text(".event-list tbody")).includes("web-a"), 5000, 50);
    await shot("node");
    await page.click("#logout");
    await page.waitForSelector("#token");
    assert.equal((await page.cookies()).find((c) => c.name === "nodelet_session"), undefined, "the cookie is cleared");
    assert.equal(await page.evaluate(async () => (await fetch("/ui/api/session")).status), 401);
  });

  test("nodelet dashboard: the first line is a one-time login URL on 127.0.0.1", async (t) => {
    const child = spawn(process.execPath, [NODELET, "dashboard", "--socket", d.socket, "--port", String(dashboardPort)], { stdio: ["ignore", "pipe", "inherit"] });
    t.after(() => void child.kill("SIGTERM"));
    const first = await new Promise<string>((resolve) => createInterface({ input: child.stdout }).once("line", resolve));
    assert.match(first, /^http:\/\/127\.0\.0\.1:\d+\/ui\/login\?once=[A-Za-z0-9_-]{43}$/);
    const local = await browser.newPage();
    try {
      await local.goto(first);
      await local.waitForSelector('[data-pod="pod/default/web-a"]');
      assert.match(await textIn(local, "#who"), /system:admin/);
      const again = await local.goto(first);
      assert.equal(again?.status(), 403, "the URL works once");
    } finally {
      await local.close();
    }
  });

  /** A page of its own (own cookies) logged in with `as`, on `hash`, counting its loads (a reload loop would show). */
  const loggedIn = async (as: string, hash = "#/"): Promise<{ context: BrowserContext; page: Page; loads: () => number }> => {
    const context = await browser.createBrowserContext();
    const p = await context.newPage();
    await p.setViewport({ width: 1280, height: 800 });
    p.on("console", (m) => void (consoleLog += `console: ${m.text()}\n`));
    await p.goto(`${base}/ui/`);
    await p.waitForSelector("#token");
    await p.type("#token", as);
    await Promise.all([p.waitForNavigation(), p.click("button[type=submit]")]);
    let loads = 0;
    p.on("load", () => void loads++);
    await p.evaluate(`location.hash = ${JSON.stringify(hash)}`);
    return { context, page: p, loads: () => loads };
  };

  test("recovery: a pod deleted under its page, a user without rights, an expired session, a daemon restart", async () => {
    const contexts: BrowserContext[] = [];
    try {
      // A pod deleted while its page is open: the page says so.
      await d.client.request("POST", "/api/v1/namespaces/default/pods", { body: { apiVersion: "v1", kind: "Pod", metadata: { name: "doomed" }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: "main", image: "busybox", command: ["sleep", "3600"] }] } } });
      const admin = await loggedIn(token, "#/pod/default/doomed");
      contexts.push(admin.context);
      await step("the doomed pod's page", () => admin.page.waitForSelector(".containers table"));
      await d.client.request("DELETE", "/api/v1/namespaces/default/pods/doomed?gracePeriodSeconds=0");
      await waitFor("the page to say the pod was deleted", async () => /Pod default\/doomed was deleted/.test(await textIn(admin.page, ".pod-status")), 30_000, 100);

      // A user RBAC grants nothing: the pod page says forbidden, and reads nothing more.
      const nobody = await loggedIn(NOBODY_TOKEN, "#/pod/default/web-a");
      contexts.push(nobody.context);
      await waitFor("the page to say forbidden", async () => /^Forbidden: your user may not read pod default\/web-a\./.test(await textIn(nobody.page, ".pod-status")), 10_000, 100);
      assert.match(await textIn(nobody.page, ".pod-status"), /forbidden: User "nobody" cannot get resource "pods"/);
      // Nor may it list what the topology shows: the page says so instead of an empty picture.
      await nobody.page.evaluate(`location.hash = "#/"`);
      await waitFor("the topology page to say it cannot be shown", async () => /cannot be shown to this user/.test(await textIn(nobody.page, "#banner")), 10_000, 100);
      assert.equal(await inPage<number>(nobody.page, `document.querySelectorAll("[data-pod]").length`), 0);

      // A daemon restart with two pages open on the topology: the sessions are kept (ROOT/ui-sessions.json), so the
      // first page says it is reconnecting and recovers by itself; the second's session is made to expire while the
      // daemon is down (its lastSeen set back past the 30-minute idle limit), so that page says so and offers the
      // login, once, without reloading.
      // The first page meanwhile on web-a's page: its log follows again after the restart.
      await admin.page.evaluate(`location.hash = "#/pod/default/web-a"`);
      await admin.page.waitForSelector(".containers table");
      await waitFor("web-a's log on the admin page", async () => (await textIn(admin.page, ".log")).includes("tick"), 30_000, 100);
      const stays = await loggedIn(token);
      contexts.push(stays.context);
      const expires = await loggedIn(token);
      contexts.push(expires.context);
      for (const p of [stays.page, expires.page]) await p.waitForSelector('[data-pod="pod/default/web-a"]');
      const cookie = (await expires.page.cookies()).find((c) => c.name === "nodelet_session")!.value;
      const key = createHash("sha256").update(`nodelet-ui-session\0${cookie}`).digest("base64url");
      await d.terminate();
      await waitFor("the page to say it is reconnecting", async () => /^Reconnecting/.test(await textIn(stays.page, "#banner")), 30_000, 100);
      const sessionsFile = join(d.root, "ui-sessions.json");
      const kept = JSON.parse(readFileSync(sessionsFile, "utf8")) as { key: string; lastSeen: number }[];
      assert.ok(kept.some((k) => k.key === key), "the session is kept by the hash of its id");
      assert.ok(!readFileSync(sessionsFile, "utf8").includes(cookie), "never the id itself");
      writeFileSync(sessionsFile, JSON.stringify(kept.map((k) => (k.key === key ? { ...k, lastSeen: 0 } : k))));
      await d.start();
      await waitFor("the page to recover (banner gone)", async () => (await inPage<boolean>(stays.page, `document.getElementById("banner").hidden`)) === true, 60_000, 100);
      await d.client.request("POST", "/api/v1/namespaces/default/pods", { body: { apiVersion: "v1", kind: "Pod", metadata: { name: "after-restart" }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: "main", image: "busybox", command: ["sleep", "3600"] }] } } });
      await step("a pod created after the restart, pushed to the page", () => stays.page.waitForSelector('[data-pod="pod/default/after-restart"]', { timeout: 10_000 }));
      // The pod page: the banner gone, the log followed again (lines written after the restart arrive).
      await waitFor("the pod page to recover", async () => (await inPage<boolean>(admin.page, `document.getElementById("banner").hidden`)) === true, 60_000, 100);
      const lastLine = async () => (await textIn(admin.page, ".log")).trimEnd().split("\n").at(-1);
      const lineNow = await lastLine();
      await waitFor("the pod page's log to follow again", async () => (await lastLine()) !== lineNow, 30_000, 200);
      await waitFor("the expired page to offer the login", async () => (await expires.page.$("#token")) !== null, 30_000, 100);
      assert.match(await textIn(expires.page, ".login .note"), /session (ended|expired)/i);
      await d.client.request("DELETE", "/api/v1/namespaces/default/pods/after-restart?gracePeriodSeconds=0");
      assert.deepEqual([stays.loads(), expires.loads(), admin.loads()], [0, 0, 0], "no page reloaded");
      await stays.page.screenshot({ path: join(ARTIFACTS, "recovered.png") });
      await expires.page.screenshot({ path: join(ARTIFACTS, "expired.png") });
    } finally {
      for (const c of contexts) await c.close().catch(() => undefined);
    }
  });

  test("cluster view: hollow Nodes created through the API appear as boxes with their pods and this node's routes to them", async () => {
    const self = (await d.client.request<{ items: { metadata: { name: string }; status: { addresses: { type: string; address: string }[] } }[] }>("GET", "/api/v1/nodes")).items[0];
    const selfIP = self.status.addresses.find((a) => a.type === "InternalIP")!.address;
    // One peer on this node's link (a route via its address) and one beyond it (VXLAN), in this daemon's cluster CIDR.
    const peers = [
      { name: "hollow-near", podCIDR: `10.${d.octet}.1.0/24`, ip: selfIP.replace(/\.\d+$/, ".250") },
      { name: "hollow-far", podCIDR: `10.${d.octet}.2.0/24`, ip: "203.0.113.77" },
    ];
    const context = await browser.createBrowserContext();
    try {
      for (const p of peers) {
        await d.client.request("POST", "/api/v1/nodes", { body: { apiVersion: "v1", kind: "Node", metadata: { name: p.name }, spec: { podCIDR: p.podCIDR, podCIDRs: [p.podCIDR] } } });
        await d.client.request("PATCH", `/api/v1/nodes/${p.name}/status`, { body: { status: { addresses: [{ type: "InternalIP", address: p.ip }] } }, contentType: "application/merge-patch+json" });
      }
      await d.client.request("POST", "/api/v1/namespaces/default/pods", { body: { apiVersion: "v1", kind: "Pod", metadata: { name: "far-1" }, spec: { nodeName: "hollow-far", containers: [{ name: "main", image: "busybox" }] } } });
      const p = await context.newPage();
      await p.setViewport({ width: 1280, height: 800 });
      await p.goto(`${base}/ui/`);
      await p.waitForSelector("#token");
      await p.type("#token", token);
      await Promise.all([p.waitForNavigation(), p.click("button[type=submit]")]);
      await p.evaluate(`location.hash = "#/cluster"`);
      const nodeText = (name: string) => textIn(p, `[data-node="${name}"]`);
      await waitFor("the three nodes", async () => (await inPage<number>(p, `document.querySelectorAll("[data-node]").length`)) === 3, 15_000, 100);
      assert.match(await nodeText(self.metadata.name), /\(this node\)/);
      assert.match(await nodeText(self.metadata.name), /default\/web-a ready/);
      assert.match(await nodeText("hollow-far"), /default\/far-1 pending/);
      for (const peer of peers) {
        await waitFor(`this node's route to ${peer.name}`, async () => new RegExp(`${peer.podCIDR.replace(/\./g, "\\.")} via `).test(await nodeText(peer.name)), 30_000, 200);
      }
      assert.match(await nodeText("hollow-far"), /VXLAN /, "a peer beyond the link goes over VXLAN");
      await waitFor("the graph drawn", async () => (await inPage<number>(p, `document.querySelectorAll(".graph canvas").length`)) > 0, 10_000, 100);
      await p.screenshot({ path: join(ARTIFACTS, "cluster.png") });
    } finally {
      await context.close().catch(() => undefined);
      await d.client.request("DELETE", "/api/v1/namespaces/default/pods/far-1?gracePeriodSeconds=0").catch(() => undefined);
      for (const p of peers) await d.client.request("DELETE", `/api/v1/nodes/${p.name}`).catch(() => undefined);
    }
  });
});
