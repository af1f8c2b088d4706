import { formatAge } from "./format.js";
import { column } from "./table.js";
export const eventPrinter = {
    columns: [
        column("Last Seen", "The last time this event was observed."),
        column("Type", "The type of this event."),
        column("Reason", "The reason for this event."),
        column("Object", "The object this event is about."),
        column("Subobject", "The subobject (the field path) this event is about.", { priority: 1 }),
        column("Source", "The component reporting this event.", { priority: 1 }),
        column("Message", "A human-readable description of the status of this operation."),
        column("First Seen", "The first time this event was observed.", { priority: 1 }),
        column("Count", "The number of times this event has occurred.", { priority: 1 }),
        column("Name", "The name of this event.", { priority: 1, format: "name" }),
    ],
    cells(ev, now) {
        const first = ev.firstTimestamp ? formatAge(ev.firstTimestamp, now) : formatAge(ev.eventTime ?? undefined, now);
        const last = ev.lastTimestamp ? formatAge(ev.lastTimestamp, now) : first;
        const inv = ev.involvedObject ?? {};
        const kind = (inv.kind ?? "").toLowerCase();
        const target = inv.name ? `${kind}/${inv.name}` : kind;
        const component = ev.source?.component || ev.reportingController || ev.reportingComponent || "";
        const host = ev.source?.host || ev.reportingInstance || "";
        const source = host ? `${component}, ${host}` : component;
        return [last, ev.type ?? "", ev.reason ?? "", target, inv.fieldPath ?? "", source, (ev.message ?? "").trim(), first, ev.count || 1, ev.metadata.name ?? ""];
    },
};
//# sourceMappingURL=event.js.map