/**
 * Event validation (core/v1 Events; pkg/apis/core/validation/events.go, legacyValidateEvent). Events written
 * through core/v1 get only the legacy checks: the event's namespace must match its involved object's, and events
 * that carry an eventTime (the new style) need reportingController, reportingInstance, action and reason.
 * nodelet also requires involvedObject, and an object name valid as a DNS subdomain.
 */
import { forbidden, invalid, invalidEach, required } from "./field.js";
import { semanticEqual } from "./json.js";
import { validateObjectMeta, validateObjectMetaUpdate } from "./meta-validation.js";
import { isDNS1123Subdomain, isQualifiedName, nameIsDNSSubdomain } from "./names.js";
import { strategy } from "./strategy.js";
const LIMITS = { reportingInstance: 128, action: 128, reason: 128, message: 1024 };
function validateNewStyle(ev) {
    const errs = [];
    const ns = ev.metadata?.namespace ?? "";
    if (!ev.involvedObject?.namespace && ns !== "default" && ns !== "kube-system") {
        errs.push(invalid("involvedObject.namespace", ev.involvedObject?.namespace ?? "", "does not match event.namespace"));
    }
    const controller = ev.reportingController ?? ev.reportingComponent ?? "";
    if (!controller)
        errs.push(required("reportingController"));
    else
        errs.push(...invalidEach("reportingController", controller, isQualifiedName(controller)));
    for (const f of ["reportingInstance", "action", "reason", "message"]) {
        const v = ev[f] ?? "";
        if (!v && f !== "message")
            errs.push(required(f));
        if (v.length > LIMITS[f])
            errs.push(invalid(f, "", `can have at most ${LIMITS[f]} characters`));
    }
    return errs;
}
/** legacyValidateEvent plus object metadata and a required involvedObject. */
export function validateEvent(ev) {
    const errs = validateObjectMeta(ev.metadata, true, nameIsDNSSubdomain);
    if (!ev.involvedObject)
        errs.push(required("involvedObject"));
    const ns = ev.metadata?.namespace ?? "";
    if (ev.eventTime)
        errs.push(...validateNewStyle(ev));
    else if (!ev.involvedObject?.namespace) {
        if (ns !== "" && ns !== "default")
            errs.push(invalid("involvedObject.namespace", "", "does not match event.namespace"));
    }
    else if (ns !== ev.involvedObject.namespace) {
        errs.push(invalid("involvedObject.namespace", ev.involvedObject.namespace, "does not match event.namespace"));
    }
    return [...errs, ...invalidEach("namespace", ns, isDNS1123Subdomain(ns))];
}
/** An event keeps its subject: involvedObject may not change (the rest is the recorder's to update). */
export function validateEventUpdate(ev, old) {
    const errs = [...validateObjectMetaUpdate(ev.metadata, old.metadata), ...validateEvent(ev)];
    if (!semanticEqual(ev.involvedObject, old.involvedObject))
        errs.push(forbidden("involvedObject", "field is immutable"));
    return errs;
}
/** Events have no defaults and no status. */
export const eventStrategy = strategy({
    hasStatus: false,
    defaults: () => { },
    validateCreate: validateEvent,
    validateUpdate: validateEventUpdate,
});
//# sourceMappingURL=events.js.map