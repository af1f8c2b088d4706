/**
 * Listeners. The unix socket is bound with umask 0177 (so it is 0600 from the first instant) in a directory created
 * 0700: only root can connect, which is how the socket needs no token. A stale socket file left by a crashed daemon
 * is removed; a live one (something answers on it) is an error rather than a hijack.
 */
import { promises as fsp } from "node:fs";
import { connect } from "node:net";
import { dirname } from "node:path";
/** Creates the socket's directory (0700) when missing and clears a stale socket file. */
export async function prepareSocketPath(path) {
    await fsp.mkdir(dirname(path), { recursive: true, mode: 0o700 });
    let stat;
    try {
        stat = await fsp.lstat(path);
    }
    catch (err) {
        if (err.code === "ENOENT")
            return;
        throw err;
    }
    if (!stat.isSocket())
        throw new Error(`cannot listen on ${path}: it exists and is not a socket`);
    if (await answers(path))
        throw new Error(`cannot listen on ${path}: another server is listening on it`);
    await fsp.unlink(path);
}
/** True when a server accepts connections on the unix socket at `path`. */
export function answers(path) {
    return new Promise((resolve) => {
        const s = connect(path);
        s.once("connect", () => {
            s.destroy();
            resolve(true);
        });
        s.once("error", () => resolve(false));
    });
}
/** Listens on a unix socket with mode 0600. */
export async function listenUnix(server, path) {
    await prepareSocketPath(path);
    // bind(2) happens synchronously inside listen(), so the umask is restored before anything else runs.
    const old = process.umask(0o177);
    let bound;
    try {
        bound = new Promise((resolve, reject) => {
            server.once("error", reject);
            server.listen(path, () => {
                server.off("error", reject);
                resolve();
            });
        });
    }
    finally {
        process.umask(old);
    }
    await bound;
    await fsp.chmod(path, 0o600);
}
/** Listens on TCP; returns the bound address (port 0 picks a free port). */
export function listenTcp(server, host, port) {
    return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
            server.off("error", reject);
            resolve(server.address());
        });
    });
}
//# sourceMappingURL=listen.js.map