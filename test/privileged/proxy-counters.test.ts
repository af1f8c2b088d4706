/**
 * The proxiers' per-endpoint counters (what the web view shows on Service → endpoint edges) against the kernel's:
 * real rules written by the iptables and nftables proxiers in a throwaway network namespace (a veth pair inside it holds the "pods'" addresses), real connections to a
 * cluster IP, a node port and an external IP from inside it, and endpointCounters() read back — each connection
 * counted once, on the endpoint that served it (a node port's and an external IP's on their service port), and the ClientIP-affinity path (nftables'
 * per-endpoint chains) as well; with nftables also every packet and byte of those connections, both ways, counted
 * once, the node port's and the external IP's included.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { needsCommand, needsRoot, skipUnless } from "../helpers/root.js";
import { background, NetnsRunner, sh } from "../helpers/netns.js";
import { waitFor } from "../helpers/wait.js";
import { IptablesProxier } from "../../src/proxy/iptables-proxier.js";
import { NftablesProxier } from "../../src/proxy/nft-proxier.js";
import type { ProxyState } from "../../src/proxy/model.js";
import type { EndpointCount, Proxier } from "../../src/proxy/proxier.js";

const skip = skipUnless(needsRoot(), needsCommand("nft"), needsCommand("iptables-restore"), needsCommand("curl"));
const NS = `nlcnt${process.pid}`;
const CONFIG = { bridge: `cnt${process.pid}`, clusterCIDR: "10.244.0.0/16", podCIDR: "10.244.0.0/24", serviceCIDR: "10.96.0.0/16", masqueradeMark: 0x4000 };

const NODE_IP = "192.0.2.1";
/** An external IP of the web service, routed out of the namespace like any address beyond it. */
const EXTERNAL_IP = "198.51.100.7";

const STATE: ProxyState = {
  services: [
    { name: "default/web:http", namespace: "default", service: "web", portName: "http", clusterIP: "10.96.0.5", protocol: "TCP", port: 80, nodePort: 30080, externalIPs: [EXTERNAL_IP], endpoints: [{ ip: "10.244.0.10", port: 8080 }, { ip: "10.244.0.11", port: 8080 }] },
    { name: "default/sticky:", namespace: "default", service: "sticky", portName: "", clusterIP: "10.96.0.6", protocol: "TCP", port: 80, affinitySeconds: 60, endpoints: [{ ip: "10.244.0.11", port: 8080 }] },
  ],
};


const SERVER = `require("net").createServer((c) => c.end("ok\\n")).listen(8080, "0.0.0.0", () => console.log("listening"))`;

/** `times` requests to ADDRESS[:PORT], one connection each. */
async function get(ip: string, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    const r = await sh(["nsenter", `--net=/run/netns/${NS}`, "curl", "-sS", "--http0.9", "--max-time", "5", `http://${ip}/`]);
    assert.equal(r.stdout, "ok\n", `request ${i + 1} to ${ip}: ${r.stderr}`);
  }
}

const total = (counts: EndpointCount[], clusterIP: string) => counts.filter((c) => c.clusterIP === clusterIP).reduce((n, c) => n + c.packets, 0);

describe("proxy endpoint counters (privileged)", { skip }, () => {
  let server: ReturnType<typeof background> | undefined;

  before(async () => {
    await sh(["ip", "netns", "del", NS]);
    for (const argv of [
      ["ip", "netns", "add", NS],
      ["ip", "-n", NS, "link", "set", "lo", "up"],
      ["ip", "-n", NS, "link", "add", "d0", "type", "veth", "peer", "name", "d1"],
      ["ip", "-n", NS, "link", "set", "d1", "up"],
      ["ip", "-n", NS, "addr", "add", "10.244.0.10/32", "dev", "d0"],
      ["ip", "-n", NS, "addr", "add", "10.244.0.11/32", "dev", "d0"],
      ["ip", "-n", NS, "link", "set", "d0", "up"],
      ["ip", "-n", NS, "route", "add", "10.96.0.0/16", "dev", "d0"],
      // The "node's" own address, for its node port.
      ["ip", "-n", NS, "addr", "add", `${NODE_IP}/32`, "dev", "lo"],
      ["ip", "-n", NS, "route", "add", `${EXTERNAL_IP}/32`, "dev", "d0"],
    ]) {
      const r = await sh(argv);
      assert.equal(r.code, 0, `${argv.join(" ")}: ${r.stderr}`);
    }
    const s = background(["nsenter", `--net=/run/netns/${NS}`, process.execPath, "-e", SERVER]);
    server = s;
    let out = "";
    s.child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
    await waitFor("the test server to listen", () => out.includes("listening"), 10_000);
  });

  after(async () => {
    server?.stop();
    await sh(["ip", "netns", "del", NS]);
  });

  for (const [mode, make] of [
    ["iptables", (r: NetnsRunner) => new IptablesProxier(r, CONFIG)],
    ["nftables", (r: NetnsRunner) => new NftablesProxier(r, CONFIG)],
  ] as [string, (r: NetnsRunner) => Proxier][]) {
    test(`${mode}: each connection counted once on the endpoint that served it`, async () => {
      const proxier = make(new NetnsRunner(NS));
      try {
        await proxier.sync(STATE);
        const before = await proxier.endpointCounters!();
        assert.equal(total(before, "10.96.0.5"), 0);
        await get("10.96.0.5", 4);
        await get(`${NODE_IP}:30080`, 3);
        await get(EXTERNAL_IP, 2);
        await get("10.96.0.6", 2);
        const counts = await proxier.endpointCounters!();
        assert.equal(total(counts, "10.96.0.5"), 9, `cluster IP, node port and external IP: ${JSON.stringify(counts)}`);
        assert.deepEqual(counts.filter((c) => c.clusterIP === "10.96.0.6").map((c) => [c.endpointIP, c.endpointPort, c.packets]), [["10.244.0.11", 8080, 2]]);
        for (const c of counts) {
          assert.equal(c.protocol, "TCP");
          assert.ok(c.packets === 0 || c.bytes >= 40 * c.packets, `bytes of ${JSON.stringify(c)}`);
          if (mode !== "nftables") continue;
          // Every packet both ways, each seen once: a curl over TCP is at least 3 packets out and 3 back; the
          // response ("ok\n") is among the bytes.
          assert.ok(c.packets === 0 || (c.traffic && c.traffic.packets >= 6 * c.packets && c.traffic.bytes > 6 * 40 * c.packets), `traffic of ${JSON.stringify(c)}`);
          assert.ok(!c.traffic || c.traffic.packets <= 14 * Math.max(c.packets, 1), `each packet counted once: ${JSON.stringify(c)}`);
        }
      } finally {
        await proxier.cleanup();
      }
    });
  }
});
