/**
 * The DNS wire format (RFC 1035 §4), as much as a cluster DNS server needs, pure: parse a query's header and
 * question, and build a response with A, AAAA, CNAME and SRV answers. Names are written without compression (it
 * is optional for senders); names read may use compression pointers.
 */
export const TYPE = { A: 1, CNAME: 5, SOA: 6, PTR: 12, AAAA: 28, SRV: 33, OPT: 41, ANY: 255 };
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 };
const CLASS_IN = 1;
export class DnsFormatError extends Error {
}
/** Reads a (possibly compressed) name at `off`; returns it lower-cased without the final dot, and the next offset. */
function readName(buf, off) {
    const labels = [];
    let next = -1;
    for (let hops = 0; hops < 64; hops++) {
        if (off >= buf.length)
            throw new DnsFormatError("name runs past the message");
        const len = buf[off];
        if (len === 0)
            return { name: labels.join(".").toLowerCase(), next: next < 0 ? off + 1 : next };
        if ((len & 0xc0) === 0xc0) {
            if (next < 0)
                next = off + 2;
            off = ((len & 0x3f) << 8) | buf[off + 1];
            continue;
        }
        if (len > 63 || off + 1 + len > buf.length)
            throw new DnsFormatError("bad label length");
        labels.push(buf.toString("latin1", off + 1, off + 1 + len));
        off += 1 + len;
    }
    throw new DnsFormatError("too many compression pointers");
}
/** Parses the header and first question of a query. Throws DnsFormatError on a malformed message. */
export function parseQuery(buf) {
    if (buf.length < 12)
        throw new DnsFormatError("message shorter than a header");
    const flags = buf.readUInt16BE(2);
    const qd = buf.readUInt16BE(4);
    const query = { id: buf.readUInt16BE(0), opcode: (flags >> 11) & 15, recursionDesired: (flags & 0x100) !== 0, question: undefined };
    if (qd === 0)
        return query;
    const { name, next } = readName(buf, 12);
    if (next + 4 > buf.length)
        throw new DnsFormatError("question runs past the message");
    query.question = { name, type: buf.readUInt16BE(next), class: buf.readUInt16BE(next + 2) };
    return query;
}
function writeName(name) {
    const parts = name.split(".").filter(Boolean).map((l) => {
        const b = Buffer.from(l, "latin1");
        return Buffer.concat([Buffer.from([b.length]), b]);
    });
    return Buffer.concat([...parts, Buffer.from([0])]);
}
function rdata(d) {
    switch (d.type) {
        case TYPE.A:
            return Buffer.from(d.address.split(".").map(Number));
        case TYPE.CNAME:
            return writeName(d.target);
        case TYPE.SRV: {
            const head = Buffer.alloc(6);
            head.writeUInt16BE(d.priority, 0);
            head.writeUInt16BE(d.weight, 2);
            head.writeUInt16BE(d.port, 4);
            return Buffer.concat([head, writeName(d.target)]);
        }
    }
}
function writeRecord(r) {
    const data = rdata(r.data);
    const fixed = Buffer.alloc(10);
    fixed.writeUInt16BE(r.data.type, 0);
    fixed.writeUInt16BE(CLASS_IN, 2);
    fixed.writeUInt32BE(r.ttl, 4);
    fixed.writeUInt16BE(data.length, 8);
    return Buffer.concat([writeName(r.name), fixed, data]);
}
/**
 * The response to `q`. With `maxSize` (512 for UDP without EDNS), a response that does not fit is sent with the TC
 * bit and no records, so the client retries over TCP.
 */
export function buildResponse(q, a, recursionAvailable, maxSize = 65535) {
    const question = q.question ? Buffer.concat([writeName(q.question.name), u16(q.question.type), u16(q.question.class)]) : Buffer.alloc(0);
    const answers = a.answers.map(writeRecord);
    const additional = (a.additional ?? []).map(writeRecord);
    const header = (tc, an, ar) => {
        const h = Buffer.alloc(12);
        h.writeUInt16BE(q.id, 0);
        const flags = 0x8000 | (q.opcode << 11) | (a.authoritative ? 0x400 : 0) | (tc ? 0x200 : 0) | (q.recursionDesired ? 0x100 : 0) | (recursionAvailable ? 0x80 : 0) | a.rcode;
        h.writeUInt16BE(flags, 2);
        h.writeUInt16BE(q.question ? 1 : 0, 4);
        h.writeUInt16BE(an, 6);
        h.writeUInt16BE(ar, 10);
        return h;
    };
    const full = Buffer.concat([header(false, answers.length, additional.length), question, ...answers, ...additional]);
    if (full.length <= maxSize)
        return full;
    return Buffer.concat([header(true, 0, 0), question]);
}
/** A response carrying only an rcode (FORMERR for garbage: the id is echoed when there is one). */
export function errorResponse(buf, rcode) {
    const h = Buffer.alloc(12);
    if (buf.length >= 2)
        buf.copy(h, 0, 0, 2);
    h.writeUInt16BE(0x8000 | rcode, 2);
    return h;
}
function u16(n) {
    const b = Buffer.alloc(2);
    b.writeUInt16BE(n, 0);
    return b;
}
//# sourceMappingURL=wire.js.map