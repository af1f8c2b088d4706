/**
 * The page: login or the views, routed by the URL's hash (#/ topology, #/pod/NS/NAME, #/node, #/cluster). The session lives in
 * an HttpOnly cookie the script never sees; the CSRF token for logout comes from /ui/api/session.
 */
import { getJson, HttpError, logout, watchHealth, type SessionInfo } from "./api.js";
import { h } from "./dom.js";
import { ClusterView } from "./cluster-view.js";
import { NodeView } from "./node-view.js";
import { PodView } from "./pod-view.js";
import { TopologyView } from "./topology-view.js";
import type { CounterDelta, Topology } from "../src/ui/topology.js";

interface View {
  root: HTMLElement;
  destroy(): void;
}

const main = document.getElementById("main")!;
const banner = document.getElementById("banner")!;
let session: SessionInfo | undefined;
let current: View | undefined;
let feed: EventSource | undefined;

/** What the banner says while the node does not answer: the page keeps retrying and recovers without a reload. */
const RECONNECTING = "Reconnecting: the node does not answer (restarting?). This page recovers by itself when it is back.";

function say(text: string | undefined, kind = "info"): void {
  banner.hidden = !text;
  banner.className = kind;
  banner.textContent = text ?? "";
}

watchHealth((health) => {
  if (health === "ok" && banner.dataset.health && banner.dataset.health !== "ok") say(undefined);
  banner.dataset.health = health;
  if (health === "unreachable") say(RECONNECTING, "warn");
  if (health === "expired") showLogin("Your session ended (it expired, you logged out, or the node restarted). Log in again.");
});

function showLogin(message?: string): void {
  feed?.close();
  current?.destroy();
  current = undefined;
  session = undefined;
  document.getElementById("logout")!.hidden = true;
  document.getElementById("who")!.textContent = "";
  const params = new URLSearchParams(location.search);
  const note = message ?? (params.get("login") === "failed" ? "That token was not accepted." : params.get("login") === "dashboard" ? "Open the one-time URL `nodelet dashboard` printed (run it again for a new one)." : undefined);
  main.replaceChildren(
    h(
      "section",
      { class: "login", "aria-labelledby": "login-title" },
      h("h1", { id: "login-title" }, "Log in to the node"),
      note ? h("p", { class: "note", role: "alert" }, note) : null,
      h(
        "form",
        { method: "post", action: "/ui/login" },
        h("label", { for: "token" }, "Bearer token (the kubeconfig's token, a token-file user's, or a ServiceAccount's)"),
        h("input", { id: "token", name: "token", type: "password", autocomplete: "off", required: true }),
        h("button", { type: "submit" }, "Log in"),
      ),
    ),
  );
}

function route(): void {
  if (!session) return;
  current?.destroy();
  feed?.close();
  const [path, query] = location.hash.replace(/^#/, "").split("?");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  for (const a of document.querySelectorAll("nav a")) a.removeAttribute("aria-current");
  if (parts[0] === "pod" && parts.length === 3) {
    const v = new PodView(parts[1], parts[2]);
    show(v);
    void v.start().catch(report);
  } else if (parts[0] === "cluster") {
    document.getElementById("nav-cluster")!.setAttribute("aria-current", "page");
    const v = new ClusterView();
    show(v);
    void v.start().catch(report);
  } else if (parts[0] === "node") {
    document.getElementById("nav-node")!.setAttribute("aria-current", "page");
    const v = new NodeView();
    show(v);
    void v.start().catch(report);
  } else {
    document.getElementById("nav-topology")!.setAttribute("aria-current", "page");
    const focus = new URLSearchParams(query ?? "").get("focus") ?? undefined;
    const v = new TopologyView((ns, name) => (location.hash = `#/pod/${encodeURIComponent(ns)}/${encodeURIComponent(name)}`), focus);
    show(v);
    watchTopology(v);
  }
}

function show(v: View): void {
  current = v;
  main.replaceChildren(v.root);
}

function report(err: unknown): void {
  if (err instanceof HttpError && err.status === 401) return;
  say(err instanceof Error ? err.message : String(err), "warn");
}

/** The pushed topology; when the stream breaks, EventSource retries, and a refused retry means the session ended. */
function watchTopology(v: TopologyView): void {
  const es = new EventSource("/ui/api/topology?watch=1");
  feed = es;
  es.addEventListener("topology", (e) => {
    const t = JSON.parse((e as MessageEvent<string>).data) as Topology & { error?: string };
    if (t.error) return say(t.error, "warn");
    if (banner.dataset.health === "unreachable") say(undefined);
    banner.dataset.health = "ok";
    v.show(t);
  });
  es.addEventListener("counters", (e) => v.showCounters(JSON.parse((e as MessageEvent<string>).data) as CounterDelta));
  es.addEventListener("expired", () => showLogin("Your session expired. Log in again."));
  es.onerror = () => {
    if (es.readyState === EventSource.CLOSED) {
      // Not retried by the browser (a 401 or 403): ask why.
      getJson<SessionInfo>("/ui/api/session").then(
        () => say("The topology cannot be shown to this user (no right to list pods, services and endpoints).", "warn"),
        () => undefined,
      );
    } else {
      say(RECONNECTING, "warn");
      banner.dataset.health = "unreachable";
    }
  };
}

async function start(): Promise<void> {
  try {
    session = await getJson<SessionInfo>("/ui/api/session");
  } catch (err) {
    if (err instanceof HttpError && err.status === 401) return showLogin();
    say(err instanceof Error ? err.message : String(err), "warn");
    return;
  }
  if (location.search) history.replaceState(null, "", `/ui/${location.hash}`);
  document.getElementById("who")!.textContent = `Logged in as ${session.user}`;
  const button = document.getElementById("logout")!;
  button.hidden = false;
  button.onclick = () => {
    const csrf = session?.csrf ?? "";
    void logout(csrf).then(() => showLogin("You are logged out."));
  };
  window.addEventListener("hashchange", route);
  route();
}

void start();
