/** PriorityClass columns (printers.go printPriorityClass): Name, Value, Global-Default, Age, PreemptionPolicy. */
import { PRIORITY_CLASS_FIELD_DOCS as DOCS, type PriorityClass } from "../priority-class.js";
import { formatAge } from "./format.js";
import { AGE_COLUMN, NAME_COLUMN, column, type Printer } from "./table.js";

export const priorityClassPrinter: Printer<PriorityClass> = {
  columns: [
    NAME_COLUMN,
    column("Value", DOCS.value, { type: "integer" }),
    column("Global-Default", DOCS.globalDefault, { type: "boolean" }),
    AGE_COLUMN,
    column("PreemptionPolicy", DOCS.preemptionPolicy),
  ],
  cells: (pc, now) => [pc.metadata.name ?? "", pc.value ?? 0, pc.globalDefault ?? false, formatAge(pc.metadata.creationTimestamp, now), pc.preemptionPolicy ?? ""],
};
