/**
 * Which objects a list or watch selects: namespace, label selector and field selector, parsed once.
 */
import { parseFieldSelector, parseLabelSelector } from "../api/labels.js";
/** Builds the predicate for `opts`. Throws ApiError BadRequest on a malformed selector. */
export function objectFilter(opts = {}) {
    const labels = opts.labelSelector ? parseLabelSelector(opts.labelSelector) : undefined;
    const fields = opts.fieldSelector ? parseFieldSelector(opts.fieldSelector) : undefined;
    const ns = opts.namespace;
    return (obj) => (!ns || (obj.metadata.namespace ?? "") === ns) &&
        (!labels || labels.matches(obj.metadata.labels)) &&
        (!fields || fields.matches(obj));
}
//# sourceMappingURL=filter.js.map