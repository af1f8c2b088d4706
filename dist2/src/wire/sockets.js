/**
 * Ends a socket gracefully and makes sure it is destroyed: when the peer closes, or after `ms` at the latest.
 * Destroying at once would risk a TCP RST that discards data the peer has not read yet.
 */
export function closeSoon(socket, ms = 5000) {
    if (socket.destroyed)
        return;
    if (!socket.writableEnded)
        socket.end();
    const timer = setTimeout(() => socket.destroy(), ms);
    timer.unref();
    socket.once("close", () => clearTimeout(timer));
    // Keep reading so that the peer's FIN (or its last frames) is seen and "close" fires.
    socket.resume();
}
/** Splits a comma-separated (possibly repeated) header into its trimmed, non-empty items. */
export function headerList(value) {
    const joined = Array.isArray(value) ? value.join(",") : (value ?? "");
    return joined
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
}
//# sourceMappingURL=sockets.js.map