/**
 * The cluster DNS server of the node: UDP and TCP (RFC 1035 §4.2.2 length-prefixed) on one address and port.
 * Names in the cluster domain are answered from the store (records.ts). Other names go to the configured
 * upstream (--dns-upstream) as they came and the answer is relayed; without an upstream they are REFUSED, so
 * nothing leaves the node unless asked for. Reverse lookups are answered NXDOMAIN-free by the same rule.
 */
import { createSocket } from "node:dgram";
import { createServer } from "node:net";
import { answer, inDomain } from "./records.js";
import { buildResponse, DnsFormatError, errorResponse, parseQuery, RCODE } from "./wire.js";
const UPSTREAM_TIMEOUT_MS = 2000;
export class DnsServer {
    o;
    udp;
    tcp;
    conns = new Set();
    constructor(o) {
        this.o = o;
    }
    async start() {
        const udp = createSocket("udp4");
        udp.on("message", (msg, from) => void this.handle(msg, 512).then((r) => r && udp.send(r, from.port, from.address)));
        await new Promise((resolve, reject) => {
            udp.once("error", reject);
            udp.bind(this.o.port, this.o.host, () => resolve());
        });
        udp.on("error", (err) => this.o.log?.(`dns: ${String(err)}`));
        this.udp = udp;
        this.tcp = createServer((c) => this.serveTcp(c));
        await new Promise((resolve, reject) => {
            this.tcp.once("error", reject);
            this.tcp.listen({ host: this.o.host, port: this.o.port }, () => resolve());
        });
    }
    async stop() {
        for (const c of this.conns)
            c.destroy();
        await new Promise((r) => (this.udp ? this.udp.close(() => r()) : r()));
        await new Promise((r) => (this.tcp ? this.tcp.close(() => r()) : r()));
    }
    /** Answers one message; undefined when there is nothing to send (an upstream that did not answer). */
    async handle(msg, maxSize) {
        let q;
        try {
            q = parseQuery(msg);
        }
        catch (err) {
            if (err instanceof DnsFormatError)
                return errorResponse(msg, RCODE.FORMERR);
            throw err;
        }
        if (q.opcode !== 0 || !q.question)
            return buildResponse(q, { rcode: RCODE.NOTIMP, authoritative: false, answers: [] }, false);
        const domain = this.o.domain.toLowerCase();
        if (inDomain(q.question.name, domain))
            return buildResponse(q, answer(q.question.name, q.question.type, domain, this.o.view), Boolean(this.o.upstream), maxSize);
        if (!this.o.upstream)
            return buildResponse(q, { rcode: RCODE.REFUSED, authoritative: false, answers: [] }, false);
        return (await forwardUdp(msg, this.o.upstream)) ?? buildResponse(q, { rcode: RCODE.SERVFAIL, authoritative: false, answers: [] }, true);
    }
    serveTcp(c) {
        this.conns.add(c);
        c.once("close", () => this.conns.delete(c));
        c.on("error", () => c.destroy());
        let buf = Buffer.alloc(0);
        c.on("data", (d) => {
            buf = Buffer.concat([buf, d]);
            while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
                const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
                buf = buf.subarray(2 + msg.length);
                void this.handle(Buffer.from(msg), 65535).then((r) => {
                    if (!r || c.destroyed)
                        return;
                    const len = Buffer.alloc(2);
                    len.writeUInt16BE(r.length, 0);
                    c.write(Buffer.concat([len, r]));
                });
            }
        });
    }
}
/** Sends the query to the upstream and returns its answer, or undefined after a timeout. */
function forwardUdp(msg, upstream) {
    const [host, port] = upstream.includes(":") ? upstream.split(":") : [upstream, "53"];
    return new Promise((resolve) => {
        const s = createSocket("udp4");
        const done = (r) => {
            clearTimeout(timer);
            s.close();
            resolve(r);
        };
        const timer = setTimeout(() => done(undefined), UPSTREAM_TIMEOUT_MS);
        s.on("message", (r) => done(r));
        s.on("error", () => done(undefined));
        s.send(msg, Number(port), host);
    });
}
//# sourceMappingURL=dns-server.js.map