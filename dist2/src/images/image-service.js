import { InvalidImageNameError } from "../kubelet/image-manager.js";
import { normalizeImageRef } from "../runtime/images.js";
const NAME = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
/** Parses and normalises a reference; throws InvalidImageNameError. */
export function parseRef(image) {
    if (image === "" || image !== image.trim() || /\s/.test(image))
        throw new InvalidImageNameError(image, "invalid reference format");
    const ref = normalizeImageRef(image);
    const at = ref.indexOf("@");
    const named = at < 0 ? ref : ref.slice(0, at);
    const digest = at < 0 ? undefined : ref.slice(at + 1);
    const colon = named.lastIndexOf(":");
    const slash = named.lastIndexOf("/");
    const repo = colon > slash ? named.slice(0, colon) : named;
    const tag = colon > slash ? named.slice(colon + 1) : undefined;
    if (!NAME.test(repo) || repo.length > 255)
        throw new InvalidImageNameError(image, "invalid reference format");
    if (tag !== undefined && !/^[\w][\w.-]{0,127}$/.test(tag))
        throw new InvalidImageNameError(image, "invalid reference format");
    if (digest !== undefined && !/^sha256:[a-f0-9]{64}$/.test(digest))
        throw new InvalidImageNameError(image, "invalid reference format");
    const first = repo.indexOf("/");
    return { ref, registry: repo.slice(0, first), path: repo.slice(first + 1), tag, digest };
}
export class NodeImageService {
    store;
    puller;
    registries;
    constructor(store, puller, registries) {
        this.store = store;
        this.puller = puller;
        this.registries = registries;
    }
    async present(image) {
        const p = parseRef(image);
        const found = await this.store.resolve(p.ref);
        return found && { id: found.id, size: found.size, local: found.local };
    }
    async pull(image, secrets, onProgress) {
        const r = await this.pullImage(image, secrets, onProgress);
        return { id: r.image.id, size: r.image.size, local: r.image.local };
    }
    /** Pulls and returns the full result (the CLI shows the image and the bytes downloaded). */
    async pullImage(image, secrets, onProgress) {
        const p = parseRef(image);
        const repository = `${p.registry}/${p.path}`;
        return this.puller.pull({
            ref: p.ref,
            repository,
            tag: p.digest ? undefined : `${repository}:${p.tag ?? "latest"}`,
            source: await this.registries(p, secrets),
            onProgress,
        });
    }
}
//# sourceMappingURL=image-service.js.map