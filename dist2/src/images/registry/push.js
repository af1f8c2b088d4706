/**
 * Pushing an image (distribution-spec "Push"): for each blob, `HEAD` to skip what the registry has; a cross-repository
 * mount (`POST …/uploads/?mount=DIGEST&from=REPO`) when the source names repositories that may hold it; else a
 * monolithic upload (`POST …/uploads/` → 202 Location, `PUT Location?digest=…` with the bytes streamed) → 201. Then
 * the manifests, children before the index that lists them, the last one under the reference's tag (or digest).
 * Only the registry itself is written to, never a mirror; an upload Location on another host is refused (the
 * registry's credentials would follow it).
 */
import { createHash } from "node:crypto";
import { manifestSelector, validateDigest } from "../reference.js";
import { RegistryError, statusError } from "./errors.js";
import { discard, readBody } from "./transport.js";
export async function pushImage(client, ep, ref, source, creds) {
    if (source.manifests.length === 0)
        throw new RegistryError("protocol", client.context(ep, ref), "nothing to push: the image has no manifest");
    const scopes = [`repository:${ref.repository}:pull,push`, ...(source.mountFrom ?? []).map((r) => `repository:${r}:pull`)];
    const base = `${ep.url}/v2/${ref.repository}`;
    const result = { digest: "", uploaded: 0, existing: 0, mounted: 0 };
    const call = (object, req) => client.call({ ep, ctx: client.context(ep, ref, object), scopes, creds, req });
    for (const blob of source.blobs) {
        validateDigest(blob.digest);
        const ctx = client.context(ep, ref, blob.digest);
        const head = await call(blob.digest, { method: "HEAD", url: `${base}/blobs/${blob.digest}`, followRedirects: true });
        discard(head);
        if (head.status === 200) {
            result.existing++;
            continue;
        }
        if (head.status !== 404)
            throw statusError(head.status, Buffer.alloc(0), ctx, " checking whether the blob exists");
        let location;
        const from = (source.mountFrom ?? []).find((r) => r !== ref.repository);
        if (from !== undefined) {
            const res = await call(blob.digest, { method: "POST", url: `${base}/blobs/uploads/?mount=${blob.digest}&from=${encodeURIComponent(from)}`, body: Buffer.alloc(0) });
            const body = await readBody(res, 64 << 10, "the mount answer").catch(() => Buffer.alloc(0));
            if (res.status === 201) {
                result.mounted++;
                continue;
            }
            if (res.status !== 202)
                throw statusError(res.status, body, ctx, ` mounting the blob from ${from}`);
            location = uploadLocation(res, ep, ctx); // not mountable: the registry opened an ordinary upload instead
        }
        if (location === undefined) {
            const res = await call(blob.digest, { method: "POST", url: `${base}/blobs/uploads/`, body: Buffer.alloc(0) });
            const body = await readBody(res, 64 << 10, "the upload answer").catch(() => Buffer.alloc(0));
            if (res.status !== 202)
                throw statusError(res.status, body, ctx, " starting an upload");
            location = uploadLocation(res, ep, ctx);
        }
        const url = new URL(location);
        url.searchParams.append("digest", blob.digest);
        const stream = await source.openBlob(blob.digest);
        const put = await call(blob.digest, {
            method: "PUT",
            url: url.toString(),
            headers: { "content-type": "application/octet-stream", "content-length": String(blob.size) },
            body: stream,
        });
        const body = await readBody(put, 64 << 10, "the upload answer").catch(() => Buffer.alloc(0));
        if (put.status !== 201)
            throw statusError(put.status, body, ctx, " uploading the blob");
        result.uploaded++;
    }
    for (const [i, m] of source.manifests.entries()) {
        const digest = `sha256:${createHash("sha256").update(m.bytes).digest("hex")}`;
        const last = i === source.manifests.length - 1;
        const target = last ? manifestSelector(ref) : digest;
        if (last && ref.digest && ref.digest !== digest) {
            throw new RegistryError("digest-mismatch", client.context(ep, ref, target), `the image's manifest is ${digest}, not the digest the reference names`);
        }
        const res = await call(target, { method: "PUT", url: `${base}/manifests/${target}`, headers: { "content-type": m.mediaType }, body: m.bytes });
        const body = await readBody(res, 64 << 10, "the manifest answer").catch(() => Buffer.alloc(0));
        if (res.status !== 201)
            throw statusError(res.status, body, client.context(ep, ref, target), " putting the manifest");
        const echoed = res.headers["docker-content-digest"];
        if (typeof echoed === "string" && echoed !== digest) {
            throw new RegistryError("digest-mismatch", client.context(ep, ref, target), `the registry stored the manifest as ${echoed.slice(0, 80)}, not ${digest}`);
        }
        result.digest = digest;
    }
    return result;
}
function uploadLocation(res, ep, ctx) {
    const raw = res.headers.location;
    if (!raw)
        throw new RegistryError("protocol", ctx, "upload started without a Location");
    const url = new URL(raw, ep.url);
    if (url.origin !== new URL(ep.url).origin) {
        throw new RegistryError("protocol", ctx, `upload Location is on another origin (${url.origin}); refusing to send credentials there`);
    }
    return url.toString();
}
//# sourceMappingURL=push.js.map