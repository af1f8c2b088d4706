/** Our host veth names (see names.ts): only these are ever deleted from the bridge. */
export const OUR_VETH = /^nl[0-9a-f]{13}$/;
/** What to collect, given the bridge's ports, the leases and the pods that exist. */
export function planGc(ports, leases, livePods) {
    const releasePods = leases.filter((l) => !livePods.has(l.podUid)).map((l) => l.podUid);
    const kept = new Set(leases.filter((l) => livePods.has(l.podUid)).map((l) => l.veth));
    const deleteLinks = ports.filter((p) => OUR_VETH.test(p) && !kept.has(p));
    return { releasePods, deleteLinks };
}
//# sourceMappingURL=gc.js.map