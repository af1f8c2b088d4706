import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { connect } from "node:net";
import { DnsServer } from "../../../src/dns/dns-server.js";
import { answer } from "../../../src/dns/records.js";
import { buildResponse, parseQuery, RCODE, TYPE } from "../../../src/dns/wire.js";
const services = {
    "default/web": { apiVersion: "v1", kind: "Service", metadata: { name: "web", namespace: "default" }, spec: { clusterIP: "10.96.0.5", ports: [{ name: "http", port: 80, protocol: "TCP" }] } },
    "default/db": { apiVersion: "v1", kind: "Service", metadata: { name: "db", namespace: "default" }, spec: { clusterIP: "None", ports: [{ name: "pg", port: 5432, protocol: "TCP" }] } },
    "default/ext": { apiVersion: "v1", kind: "Service", metadata: { name: "ext", namespace: "default" }, spec: { type: "ExternalName", externalName: "example.com." } },
};
const endpoints = {
    "default/db": { apiVersion: "v1", kind: "Endpoints", metadata: { name: "db", namespace: "default" }, subsets: [{ addresses: [{ ip: "10.244.0.7", hostname: "db-0" }, { ip: "10.244.0.8" }], notReadyAddresses: [{ ip: "10.244.0.9" }], ports: [{ name: "pg", port: 5432, protocol: "TCP" }] }] },
};
const view = { service: (ns, n) => services[`${ns}/${n}`], endpoints: (ns, n) => endpoints[`${ns}/${n}`] };
const D = "cluster.local";
const addrs = (name, type = TYPE.A) => answer(name, type, D, view).answers.map((r) => ("address" in r.data ? r.data.address : "target" in r.data ? `${r.data.target}${"port" in r.data ? `:${r.data.port}` : ""}` : ""));
describe("cluster DNS records", () => {
    test("service A, headless A per ready endpoint, ExternalName CNAME", () => {
        assert.deepEqual(addrs("web.default.svc.cluster.local"), ["10.96.0.5"]);
        assert.deepEqual(addrs("db.default.svc.cluster.local"), ["10.244.0.7", "10.244.0.8"]);
        assert.deepEqual(addrs("ext.default.svc.cluster.local"), ["example.com"]);
    });
    test("SRV for named ports; headless SRV targets each endpoint, with A records in the additional section", () => {
        assert.deepEqual(addrs("_http._tcp.web.default.svc.cluster.local", TYPE.SRV), ["web.default.svc.cluster.local:80"]);
        const a = answer("_pg._tcp.db.default.svc.cluster.local", TYPE.SRV, D, view);
        assert.deepEqual(a.answers.map((r) => ("target" in r.data ? r.data.target : "")), ["db-0.db.default.svc.cluster.local", "10-244-0-8.db.default.svc.cluster.local"]);
        assert.deepEqual(a.additional.map((r) => ("address" in r.data ? r.data.address : "")), ["10.244.0.7", "10.244.0.8"]);
        assert.equal(answer("_nope._tcp.web.default.svc.cluster.local", TYPE.SRV, D, view).rcode, RCODE.NXDOMAIN);
    });
    test("endpoint names of a headless service, pod names, NXDOMAIN and NODATA", () => {
        assert.deepEqual(addrs("db-0.db.default.svc.cluster.local"), ["10.244.0.7"]);
        assert.deepEqual(addrs("10-244-0-8.db.default.svc.cluster.local"), ["10.244.0.8"]);
        assert.deepEqual(addrs("10-244-0-9.db.default.svc.cluster.local"), [], "not ready: no record");
        assert.deepEqual(addrs("10-1-2-3.default.pod.cluster.local"), ["10.1.2.3"]);
        assert.equal(answer("10-1-2-300.default.pod.cluster.local", TYPE.A, D, view).rcode, RCODE.NXDOMAIN);
        assert.equal(answer("nope.default.svc.cluster.local", TYPE.A, D, view).rcode, RCODE.NXDOMAIN);
        const nodata = answer("web.default.svc.cluster.local", TYPE.AAAA, D, view);
        assert.deepEqual([nodata.rcode, nodata.answers.length], [RCODE.NOERROR, 0]);
    });
});
function query(name, type, id = 0x1234) {
    const labels = name.split(".").map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)]));
    const h = Buffer.from([id >> 8, id & 255, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
    return Buffer.concat([h, ...labels, Buffer.from([0, 0, type, 0, 1])]);
}
/** The rcode and the A addresses of a response (answers start after the echoed question). */
function decodeA(buf, qlen) {
    const an = buf.readUInt16BE(6);
    let off = qlen;
    const ips = [];
    for (let i = 0; i < an; i++) {
        while (buf[off] !== 0)
            off += buf[off] + 1;
        off += 1;
        const type = buf.readUInt16BE(off);
        const len = buf.readUInt16BE(off + 8);
        if (type === TYPE.A)
            ips.push([...buf.subarray(off + 10, off + 14)].join("."));
        off += 10 + len;
    }
    return { rcode: buf.readUInt16BE(2) & 15, ips, tc: (buf.readUInt16BE(2) & 0x200) !== 0 };
}
describe("DNS server (UDP and TCP on 127.0.0.1)", () => {
    let server;
    let port = 0;
    before(async () => {
        for (port = 20053 + (process.pid % 1000);; port++) {
            server = new DnsServer({ host: "127.0.0.1", port, domain: D, view });
            try {
                await server.start();
                break;
            }
            catch {
                await server.stop().catch(() => undefined);
            }
        }
    });
    after(() => server.stop());
    const udp = (msg) => new Promise((resolve, reject) => {
        const s = createSocket("udp4");
        const t = setTimeout(() => (s.close(), reject(new Error("no answer"))), 2000);
        s.on("message", (m) => (clearTimeout(t), s.close(), resolve(m)));
        s.send(msg, port, "127.0.0.1");
    });
    test("answers over UDP with the query id; names outside the domain are REFUSED without an upstream", async () => {
        const q = query("web.default.svc.cluster.local", TYPE.A);
        const r = await udp(q);
        assert.equal(r.readUInt16BE(0), 0x1234);
        assert.deepEqual(decodeA(r, q.length), { rcode: 0, ips: ["10.96.0.5"], tc: false });
        const out = await udp(query("example.com", TYPE.A));
        assert.equal(out.readUInt16BE(2) & 15, RCODE.REFUSED);
    });
    test("answers over TCP (length-prefixed)", async () => {
        const q = query("db.default.svc.cluster.local", TYPE.A, 7);
        const framed = Buffer.concat([Buffer.from([q.length >> 8, q.length & 255]), q]);
        const r = await new Promise((resolve, reject) => {
            const c = connect(port, "127.0.0.1", () => c.write(framed));
            let buf = Buffer.alloc(0);
            c.on("data", (d) => {
                buf = Buffer.concat([buf, d]);
                if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0))
                    (c.destroy(), resolve(buf.subarray(2)));
            });
            c.on("error", reject);
        });
        assert.deepEqual(decodeA(r, q.length).ips, ["10.244.0.7", "10.244.0.8"]);
    });
    test("garbage is FORMERR; a response too big for UDP is truncated (TC)", async () => {
        const r = await udp(Buffer.from([1, 2, 3]));
        assert.equal(r.readUInt16BE(2) & 15, RCODE.FORMERR);
        const q = parseQuery(query("web.default.svc.cluster.local", TYPE.A));
        const many = Array.from({ length: 60 }, (_, i) => ({ name: "web.default.svc.cluster.local", ttl: 5, data: { type: TYPE.A, address: `10.0.0.${i}` } }));
        const resp = buildResponse(q, { rcode: 0, authoritative: true, answers: many }, false, 512);
        assert.equal(decodeA(resp, 12 + 31 + 4).tc, true);
        assert.equal(resp.readUInt16BE(6), 0);
    });
});
//# sourceMappingURL=dns.test.js.map