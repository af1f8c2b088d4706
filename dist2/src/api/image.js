/**
 * An image as the node keeps it and as `/apis/nodelet.io/v1/images` serves it: its layers (unpacked directories,
 * stacked by overlayfs) and the part of its OCI config that decides how a container runs (the runtime's ImageStore
 * makes them; the CLI lists them).
 */
/** A reference as Docker shows it: "docker.io/library/busybox:1.28" → "busybox:1.28", "docker.io/me/app" → "me/app". */
export function familiarName(ref) {
    if (ref.startsWith("docker.io/library/"))
        return ref.slice("docker.io/library/".length);
    if (ref.startsWith("docker.io/"))
        return ref.slice("docker.io/".length);
    return ref;
}
//# sourceMappingURL=image.js.map