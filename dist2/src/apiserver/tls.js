/**
 * The TCP listener's serving certificate: self-signed, made once with the openssl CLI (through the Runner, so the
 * step is recorded like every other host command) and reused while it is valid and names every host asked for.
 * The kubeconfig trusts this very certificate as its CA (Go accepts a root that is also the leaf).
 *
 * Why TLS at all: kubectl does not send a bearer token over plain http:// (seen: no Authorization header), so a
 * token-protected TCP endpoint must be HTTPS.
 */
import { X509Certificate } from "node:crypto";
import { promises as fsp } from "node:fs";
import { isIP } from "node:net";
import { join } from "node:path";
import { HostRunner } from "../sys/runner.js";
/** Returns a usable serving certificate from `dir`, making a new one when missing, expiring or lacking a host. */
export async function ensureServingCert(opts) {
    const hosts = [...new Set(["127.0.0.1", "localhost", ...(opts.hosts ?? [])])];
    const certPath = join(opts.dir, "apiserver.crt");
    const keyPath = join(opts.dir, "apiserver.key");
    const existing = await readPair(certPath, keyPath);
    if (existing && covers(existing.cert, hosts))
        return existing;
    await fsp.mkdir(opts.dir, { recursive: true, mode: 0o700 });
    const san = hosts.map((h) => (isIP(h) ? `IP:${h}` : `DNS:${h}`)).join(",");
    const runner = opts.runner ?? new HostRunner();
    await runner.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", keyPath, "-out", certPath, "-days", String(opts.days ?? 3650), "-subj", "/CN=nodelet-apiserver",
        "-addext", `subjectAltName=${san}`], { owner: "node" });
    await fsp.chmod(keyPath, 0o600);
    const made = await readPair(certPath, keyPath);
    if (!made)
        throw new Error(`openssl did not write ${certPath} and ${keyPath}`);
    return made;
}
async function readPair(certPath, keyPath) {
    try {
        return { cert: await fsp.readFile(certPath, "utf8"), key: await fsp.readFile(keyPath, "utf8") };
    }
    catch {
        return undefined;
    }
}
/** True when the certificate is valid for at least another day and names every host. */
function covers(pem, hosts) {
    try {
        const x = new X509Certificate(pem);
        if (Date.parse(x.validTo) < Date.now() + 86_400_000)
            return false;
        const names = (x.subjectAltName ?? "").split(",").map((s) => s.trim().replace(/^IP Address:/, "").replace(/^DNS:/, ""));
        return hosts.every((h) => names.includes(h));
    }
    catch {
        return false;
    }
}
//# sourceMappingURL=tls.js.map