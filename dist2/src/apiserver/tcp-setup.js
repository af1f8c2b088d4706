/**
 * What the daemon needs for `--listen HOST:PORT`: the address parsed, a serving certificate and a bearer token kept
 * under the state directory (made on first use, reused after), ready to pass as ApiServerOptions.tcp.
 */
import { isIP } from "node:net";
import { join } from "node:path";
import { loadOrCreateToken } from "./auth.js";
import { ensureServingCert } from "./tls.js";
/** `127.0.0.1:6443`, `0.0.0.0:6443`, `[::1]:6443`, `:6443` (all addresses). Throws on anything else. */
export function parseListenAddress(spec) {
    const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(spec.trim());
    const port = m ? Number(m[3]) : NaN;
    if (!m || port > 65535)
        throw new Error(`invalid listen address "${spec}": want HOST:PORT, e.g. 127.0.0.1:6443`);
    const host = m[1] ?? (m[2] || "0.0.0.0");
    if (m[1] && isIP(host) !== 6)
        throw new Error(`invalid listen address "${spec}": [${host}] is not an IPv6 address`);
    return { host, port };
}
/** Certificate, key and token for the TCP listener, made or reused under `dir`. */
export async function prepareTcpListener(opts) {
    const { host, port } = parseListenAddress(opts.listen);
    const hosts = [...(opts.hosts ?? [])];
    if (host !== "0.0.0.0" && host !== "::")
        hosts.push(host);
    const cert = await ensureServingCert({ dir: join(opts.dir, "pki"), hosts, runner: opts.runner });
    const token = await loadOrCreateToken(join(opts.dir, "token"));
    return { host, port, token, cert: cert.cert, key: cert.key };
}
//# sourceMappingURL=tcp-setup.js.map