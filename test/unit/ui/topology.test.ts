import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Endpoints, Pod, Service } from "../../../src/api/types.js";
import { openStore } from "../../../src/store/sqlite-store.js";
import { TopologyFeed, type FeedTimers, type TopologySource } from "../../../src/ui/live.js";
import { UsageSeries } from "../../../src/ui/series.js";
import { applyCounterDelta, buildTopology, counterDelta, scopeCounterDelta, endpointRuleKey, podState, type CounterDelta, type LinkCounters, type RuleCounters, type Topology, type TopologyInput } from "../../../src/ui/topology.js";

function pod(name: string, ip: string, o: { ready?: boolean; phase?: string; hostPort?: number; hostNetwork?: boolean; deleting?: boolean } = {}): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", uid: `uid-${name}`, ...(o.deleting ? { deletionTimestamp: "2026-01-01T00:00:00Z" } : {}) },
    spec: { nodeName: "n1", hostNetwork: o.hostNetwork, containers: [{ name: "c", image: "busybox", ports: o.hostPort ? [{ containerPort: 80, hostPort: o.hostPort }] : [] }] },
    status: { phase: (o.phase ?? "Running") as "Running", podIP: ip, conditions: [{ type: "Ready", status: o.ready === false ? "False" : "True" }] },
  };
}

const web: Service = {
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "web", namespace: "default" },
  spec: { type: "NodePort", clusterIP: "10.96.0.5", selector: { app: "web" }, ports: [{ name: "http", port: 80, targetPort: 8080, protocol: "TCP", nodePort: 30080 }] },
};

const webEndpoints: Endpoints = {
  apiVersion: "v1",
  kind: "Endpoints",
  metadata: { name: "web", namespace: "default" },
  subsets: [
    {
      addresses: [{ ip: "10.88.0.2", targetRef: { kind: "Pod", namespace: "default", name: "a" } }, { ip: "10.88.0.3" }],
      notReadyAddresses: [{ ip: "10.88.0.4", targetRef: { kind: "Pod", namespace: "default", name: "c" } }],
      ports: [{ name: "http", port: 8080, protocol: "TCP" }],
    },
  ],
};

const link: LinkCounters = { rxPackets: 10, rxBytes: 1000, txPackets: 20, txBytes: 2000 };

function input(over: Partial<TopologyInput> = {}): TopologyInput {
  return {
    nodeName: "n1",
    hostIP: "192.168.1.10",
    bridge: "nodelet0",
    pods: [pod("b", "10.88.0.3"), pod("a", "10.88.0.2", { hostPort: 8080 }), pod("c", "10.88.0.4", { ready: false })],
    services: [web],
    endpoints: [webEndpoints],
    vethOf: (p) => `nl-${p.metadata.name}`,
    links: new Map([["nl-a", link]]),
    rules: new Map([[endpointRuleKey("10.96.0.5", 80, "TCP", "10.88.0.2", 8080), { connections: 7, packets: 70, bytes: 4200 }]]),
    ...over,
  };
}

const edge = (t: Topology, id: string) => t.edges.find((e) => e.id === id);

describe("topology model (pure)", () => {
  it("node, bridge, each pod on its veth with its IP and counters, pods in name order", () => {
    const t = buildTopology(input());
    assert.deepEqual(t.nodes.filter((n) => n.kind === "pod").map((n) => n.id), ["pod/default/a", "pod/default/b", "pod/default/c"]);
    assert.equal(t.nodes.find((n) => n.id === "pod/default/a")?.label, "default/a\n10.88.0.2");
    assert.deepEqual(edge(t, "uplink"), { id: "uplink", kind: "uplink", source: "node", target: "bridge", label: "routed" });
    const veth = edge(t, "veth/pod/default/a");
    assert.equal(veth?.source, "bridge");
    assert.equal(veth?.interface, "nl-a");
    assert.deepEqual(veth?.link, link);
    assert.equal(edge(t, "veth/pod/default/b")?.link, undefined, "a veth not read has no counters, not zeros");
  });

  it("a Service points at exactly its ready endpoints, with its rule counters; its NodePort hangs off the node", () => {
    const t = buildTopology(input());
    const eps = t.edges.filter((e) => e.kind === "endpoint");
    assert.deepEqual(eps.map((e) => `${e.source}>${e.target}`).sort(), ["svc/default/web>pod/default/a", "svc/default/web>pod/default/b"]);
    assert.deepEqual(edge(t, "ep/svc/default/web>pod/default/a")?.rule, { connections: 7, packets: 70, bytes: 4200 });
    assert.equal(edge(t, "ep/svc/default/web>pod/default/b")?.rule, undefined);
    assert.equal(t.nodes.find((n) => n.id === "svc/default/web")?.ip, "10.96.0.5");
    assert.ok(edge(t, "nodeport/30080/TCP>node"));
    assert.equal(edge(t, "nodeport/30080/TCP>svc/default/web")?.label, "→ 80");
  });

  it("hostPorts are entries on the node leading to their pod", () => {
    const t = buildTopology(input());
    assert.equal(t.nodes.find((n) => n.kind === "hostPort")?.label, "hostPort 8080/TCP");
    assert.equal(edge(t, "hostport/0.0.0.0:8080/TCP>pod/default/a")?.label, "→ 80");
  });

  it("an endpoint whose pod is not on this node draws no edge; host-network pods and --no-network hang off the node", () => {
    const t = buildTopology(input({ pods: [pod("a", "10.88.0.2"), pod("h", "192.168.1.10", { hostNetwork: true })] }));
    assert.deepEqual(t.edges.filter((e) => e.kind === "endpoint").map((e) => e.target), ["pod/default/a"]);
    assert.equal(edge(t, "hostnet/pod/default/h")?.label, "host network");
    const bare = buildTopology(input({ bridge: undefined, services: [], pods: [pod("a", "127.0.0.1")] }));
    assert.deepEqual(bare.nodes.map((n) => n.kind), ["node", "pod"]);
    assert.equal(edge(bare, "hostnet/pod/default/a")?.label, "loopback only");
  });

  it("a counter delta carries exactly the edges whose counters moved, and applies back onto the older picture", () => {
    const before = buildTopology(input());
    const after = buildTopology(input({ links: new Map([["nl-a", link], ["nl-b", link]]), rules: new Map([[endpointRuleKey("10.96.0.5", 80, "TCP", "10.88.0.2", 8080), { connections: 8, packets: 80, bytes: 4800 }]]) }));
    const delta = counterDelta(before, after);
    assert.deepEqual(delta, { edges: { "veth/pod/default/b": { link }, "ep/svc/default/web>pod/default/a": { rule: { connections: 8, packets: 80, bytes: 4800 } } } });
    assert.deepEqual(counterDelta(after, after), { edges: {} });
    const changed = applyCounterDelta(before, delta);
    assert.deepEqual(changed.map((e) => e.id).sort(), ["ep/svc/default/web>pod/default/a", "veth/pod/default/b"]);
    assert.deepEqual(before, after, "the older picture plus the delta is the newer one");
    assert.deepEqual(scopeCounterDelta(delta, new Set(["veth/pod/default/b"])), { edges: { "veth/pod/default/b": { link } } });
  });

  it("pods are coloured by phase and readiness; terminating wins", () => {
    assert.equal(podState(pod("a", "")), "ready");
    assert.equal(podState(pod("a", "", { ready: false })), "running");
    assert.equal(podState(pod("a", "", { phase: "Pending" })), "pending");
    assert.equal(podState(pod("a", "", { phase: "Succeeded" })), "succeeded");
    assert.equal(podState(pod("a", "", { phase: "Failed" })), "failed");
    assert.equal(podState(pod("a", "", { deleting: true })), "terminating");
    assert.equal(podState({ ...pod("a", ""), status: undefined }), "unknown");
  });
});

describe("usage series (fake clock)", () => {
  it("keeps 15 minutes of CPU rates and memory a pod and forgets pods that went", () => {
    let t = 0;
    const s = new UsageSeries(() => t, 15 * 60_000);
    for (let i = 0; i < 200; i++) {
      t = i * 5000;
      // i/100 of a core: i * 50 ms of CPU time in each 5 s tick.
      s.record([{ namespace: "default", name: "a", cpuNanos: 25e6 * i * (i + 1), memoryBytes: 1 }]);
    }
    const points = s.of("default", "a");
    assert.equal(points.length, 180);
    assert.equal(points[0].cpuNanoCores, 20 * 1e7, "the rate between the two ticks, in nanocores");
    assert.equal(points.at(-1)?.t, 199 * 5000);
    t += 5000;
    s.record([{ namespace: "default", name: "a", cpuNanos: 0, memoryBytes: 1 }]);
    assert.equal(s.of("default", "a").at(-1)?.t, 199 * 5000, "a counter that went back (a new cgroup) makes no point");
    s.record([]);
    assert.deepEqual(s.of("default", "a"), []);
  });
});

/** Timers run by hand: the feed's debounce and counter ticks, without waiting. */
class ManualTimers implements FeedTimers {
  timeouts: (() => void)[] = [];
  intervals = new Map<number, () => void>();
  private next = 1;
  setTimeout(fn: () => void): unknown {
    this.timeouts.push(fn);
    return 0;
  }
  setInterval(fn: () => void): unknown {
    this.intervals.set(this.next, fn);
    return this.next++;
  }
  clearInterval(h: unknown): void {
    this.intervals.delete(h as number);
  }
  async flush(): Promise<void> {
    const due = this.timeouts.splice(0);
    for (const fn of due) fn();
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  }
}

describe("topology feed", () => {
  it("sends the topology on subscribe and after each change, re-reads counters on ticks, and stops with its last page", async () => {
    const store = openStore(":memory:");
    let rx = 0;
    // The same Map while the source does not read the rules again.
    const rules = new Map<string, RuleCounters>();
    const src: TopologySource = {
      store,
      nodeName: "n1",
      hostIP: () => "192.168.1.10",
      bridge: "nodelet0",
      vethOf: (p) => `nl-${p.metadata.name}`,
      links: (names) => new Map(names.map((n) => [n, { ...link, rxPackets: rx }])),
      rules: () => Promise.resolve(rules),
    };
    const timers = new ManualTimers();
    const feed = new TopologyFeed(src, 100, 2000, timers);
    const got: Topology[] = [];
    const deltas: CounterDelta[] = [];
    const stop = feed.subscribe((e) => {
      if (e.kind === "topology") got.push(JSON.parse(e.json) as Topology);
      if (e.kind === "counters") deltas.push(JSON.parse(e.json) as CounterDelta);
    });
    await timers.flush();
    assert.equal(got.length, 1);
    assert.deepEqual(got[0].nodes.map((n) => n.kind), ["node", "bridge"]);

    const { status: _s, ...bare } = pod("a", "10.88.0.2");
    store.create(bare);
    store.create({ ...pod("elsewhere", "10.88.1.2"), spec: { ...pod("x", "").spec, nodeName: "n2" } });
    await timers.flush();
    assert.equal(got.length, 2, "two writes within the debounce make one update");
    assert.deepEqual(got[1].nodes.filter((n) => n.kind === "pod").map((n) => n.id), ["pod/default/a"], "pods of other nodes are not drawn");

    let reads = 0;
    const list = store.list.bind(store);
    const counted: typeof store.list = (kind, opts) => {
      reads++;
      return list(kind, opts);
    };
    store.list = counted;
    const tick = async () => {
      [...timers.intervals.values()][0]();
      await timers.flush();
    };
    await tick();
    assert.deepEqual(deltas, [{ edges: { "veth/pod/default/a": { link: { ...link, rxPackets: 0 } } } }], "the new pod's veth counters come with the next tick");
    await tick();
    assert.equal(got.length, 2, "nothing moved: nothing sent");
    assert.equal(deltas.length, 1, "nothing moved: nothing sent");
    rx = 5;
    await tick();
    assert.equal(got.length, 2, "a counter tick does not re-send the topology");
    assert.deepEqual(deltas[1], { edges: { "veth/pod/default/a": { link: { ...link, rxPackets: 5 } } } }, "only the edge that moved");
    assert.equal(reads, 0, "ticks do not read the store");
    const late: Topology[] = [];
    const stopLate = feed.subscribe((e) => void (e.kind === "topology" && late.push(e.topology)));
    assert.equal(late[0]?.edges.find((e) => e.kind === "veth")?.link?.rxPackets, 5, "a page that comes later gets the counters as they are");
    stopLate();

    stop();
    assert.equal(feed.watching, 0);
    assert.equal(timers.intervals.size, 0, "no ticks with no page open");
    store.create({ ...bare, metadata: { ...bare.metadata, name: "b" } });
    await timers.flush();
    assert.equal(got.length, 2);
    store.close();
  });

  it("on ticks sends only the veths that carried traffic of their own, not what the bridge flooded to all; the rules' counters when re-read; all counters every 15 ticks", async () => {
    const store = openStore(":memory:");
    const names = ["a", "b", "c", "d", "e"];
    names.forEach((n, i) => store.create(pod(n, `10.88.0.${i + 2}`)));
    store.create(web);
    store.create(webEndpoints);
    const counters = new Map(names.map((n) => [`nl-${n}`, { ...link }]));
    let rules = new Map<string, RuleCounters>();
    const asked: boolean[] = [];
    const src: TopologySource = {
      store,
      nodeName: "n1",
      hostIP: () => "192.168.1.10",
      bridge: "nodelet0",
      vethOf: (p) => `nl-${p.metadata.name}`,
      links: (wanted) => new Map(wanted.map((n) => [n, { ...counters.get(n)! }])),
      rules: (moved) => {
        asked.push(moved);
        return Promise.resolve(rules);
      },
    };
    const timers = new ManualTimers();
    const feed = new TopologyFeed(src, 100, 2000, timers);
    const deltas: CounterDelta[] = [];
    const stop = feed.subscribe((e) => void (e.kind === "counters" && deltas.push(JSON.parse(e.json) as CounterDelta)));
    await timers.flush();
    const tick = async () => {
      [...timers.intervals.values()][0]();
      await timers.flush();
    };
    const send = (n: string, toPod: number, fromPod = 0) => {
      const c = counters.get(`nl-${n}`)!;
      counters.set(`nl-${n}`, { ...c, txPackets: c.txPackets + toPod, txBytes: c.txBytes + 60 * toPod, rxPackets: c.rxPackets + fromPod, rxBytes: c.rxBytes + 60 * fromPod });
    };
    asked.length = 0;
    for (const n of names) send(n, 2);
    await tick();
    assert.equal(deltas.length, 0, "two broadcasts reached every veth: nothing sent");
    assert.deepEqual(asked, [false], "and no reason to read the rules again");
    // b asks by ARP (its own packet, flooded to the others); c is sent 3 packets of a connection and answers.
    send("b", 0, 1);
    for (const n of ["a", "c", "d", "e"]) send(n, 1);
    send("c", 3, 2);
    await tick();
    assert.deepEqual(Object.keys(deltas[0]?.edges ?? {}).sort(), ["veth/pod/default/b", "veth/pod/default/c"]);
    assert.equal(deltas[0].edges["veth/pod/default/c"].link?.txPackets, link.txPackets + 2 + 4);
    assert.equal(asked.at(-1), true, "a packet for one pod: the rules may have counted it");
    rules = new Map([[endpointRuleKey("10.96.0.5", 80, "TCP", "10.88.0.2", 8080), { connections: 1, packets: 6, bytes: 400 }]]);
    await tick();
    assert.deepEqual(deltas[1], { edges: { "ep/svc/default/web>pod/default/a": { rule: { connections: 1, packets: 6, bytes: 400 } } } }, "the rules read again: their edges");
    for (let i = 4; i < 15; i++) await tick();
    assert.equal(deltas.length, 2, "nothing moved");
    await tick();
    assert.deepEqual(Object.keys(deltas[2]?.edges ?? {}).sort(), ["veth/pod/default/a", "veth/pod/default/d", "veth/pod/default/e"], "the 15th tick: the flooded counters too (b and c were sent already)");
    stop();
    store.close();
  });
});
