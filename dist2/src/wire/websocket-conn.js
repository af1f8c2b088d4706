/**
 * A WebSocket connection over an already-upgraded socket (either side): sends frames, answers pings, runs the close
 * handshake, and reports data message pieces to its handler. No extensions are negotiated.
 *
 * Backpressure: `send` returns false when the socket's buffer is full; wait for `onDrain`. For inbound flow
 * control, `pause`/`resume` stop and restart reading the socket.
 */
import { randomFillSync } from "node:crypto";
import { applyMask, CLOSE_NORMAL, decodeClosePayload, encodeClosePayload, encodeFrameHeader, FrameParser, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG, } from "./websocket-frames.js";
import { closeSoon } from "./sockets.js";
import { DrainQueue } from "./drain-queue.js";
/** Masks are drawn from a pool refilled 4 KiB at a time: one getrandom call per 1024 client frames. */
let maskPool = Buffer.alloc(0);
let maskPos = 0;
function nextMask() {
    if (maskPos + 4 > maskPool.length) {
        maskPool = randomFillSync(Buffer.allocUnsafe(4096));
        maskPos = 0;
    }
    maskPos += 4;
    return maskPool.subarray(maskPos - 4, maskPos);
}
export class WsConnection {
    socket;
    head;
    parser;
    handler = null;
    closeSent = false;
    finished = false;
    masking;
    drain;
    /**
     * `role` decides masking: a client masks what it sends and expects unmasked frames. `head` holds bytes the HTTP
     * layer read past the handshake; they are parsed first once `start` is called.
     */
    constructor(socket, role, head = Buffer.alloc(0)) {
        this.socket = socket;
        this.head = head;
        this.masking = role === "client";
        this.drain = new DrainQueue(socket);
        this.parser = new FrameParser({
            data: (op, payload, first, last) => this.handler?.data(op, payload, first, last),
            control: (op, payload) => this.control(op, payload),
            error: (code, message) => this.protocolError(code, message),
        }, role === "server");
        socket.on("error", (error) => this.finish({ code: undefined, reason: "", error }));
    }
    /** Starts reading. Handler calls happen synchronously from socket reads. */
    start(handler) {
        this.handler = handler;
        this.socket.on("data", (chunk) => this.parser.push(chunk));
        // A FIN without a Close frame is an abnormal closure (1006). "end" matters: sockets from Node's HTTP server
        // allow half-open connections, so "close" alone would never come.
        this.socket.on("end", () => this.finish({ code: undefined, reason: "" }));
        this.socket.on("close", () => this.finish({ code: undefined, reason: "" }));
        if (this.head.length)
            this.parser.push(this.head);
    }
    /** True until a Close frame has been sent or the socket is gone. */
    get open() {
        return !this.closeSent && !this.socket.destroyed && this.socket.writable;
    }
    /** Sends one frame made of `parts` (written without copying on the server). Returns false on backpressure. */
    send(opcode, parts) {
        if (!this.open)
            return false;
        let length = 0;
        for (const p of parts)
            length += p.length;
        if (this.masking)
            return this.sendMasked(opcode, parts, length);
        const s = this.socket;
        s.cork();
        s.write(encodeFrameHeader(opcode, length));
        for (const p of parts)
            if (p.length)
                s.write(p);
        s.uncork();
        return !s.writableNeedDrain;
    }
    sendBinary(...parts) {
        return this.send(OP_BINARY, parts);
    }
    /** Clients must mask (RFC 6455 §5.3); the payload is copied into a fresh aligned buffer and masked there. */
    sendMasked(opcode, parts, length) {
        const mask = nextMask();
        const payload = Buffer.allocUnsafeSlow(length);
        let off = 0;
        for (const p of parts)
            off += p.copy(payload, off);
        applyMask(payload, mask);
        const s = this.socket;
        s.cork();
        s.write(encodeFrameHeader(opcode, length, true, mask));
        if (length)
            s.write(payload);
        s.uncork();
        return !s.writableNeedDrain;
    }
    /** Calls `cb` once the socket can take more (at once if it can now). */
    onDrain(cb) {
        this.drain.wait(cb);
    }
    pause() {
        this.socket.pause();
    }
    resume() {
        this.socket.resume();
    }
    /** Starts the close handshake: sends Close(code) once, then ends the socket (destroyed when the peer closes). */
    close(code = CLOSE_NORMAL, reason = "") {
        if (this.closeSent || this.socket.destroyed)
            return;
        this.send(OP_CLOSE, [encodeClosePayload(code, reason)]);
        this.closeSent = true;
        closeSoon(this.socket);
    }
    /** Drops the connection without a close handshake. */
    destroy() {
        this.closeSent = true;
        this.socket.destroy();
    }
    control(opcode, payload) {
        if (opcode === OP_PING) {
            // kubectl pings every 5 s and gives up after ~61 s without a pong (client-go remotecommand/websocket.go).
            this.send(OP_PONG, [payload]);
        }
        else if (opcode === OP_CLOSE) {
            const { code, reason } = decodeClosePayload(payload);
            this.close(code ?? CLOSE_NORMAL);
            this.finish({ code, reason });
        }
    }
    protocolError(code, message) {
        this.close(code, message);
        this.finish({ code: undefined, reason: message, error: new Error(`websocket protocol error: ${message}`) });
    }
    finish(info) {
        if (this.finished)
            return;
        this.finished = true;
        if (!this.closeSent)
            closeSoon(this.socket);
        this.closeSent = true;
        this.handler?.closed(info);
    }
}
//# sourceMappingURL=websocket-conn.js.map