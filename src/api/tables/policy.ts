/** PodDisruptionBudget columns (printers.go printPodDisruptionBudget): Name, Min Available, Max Unavailable, Allowed Disruptions, Age. */
import type { PodDisruptionBudget } from "../policy-types.js";
import { formatAge } from "./format.js";
import { AGE_COLUMN, NAME_COLUMN, column, type Printer } from "./table.js";

const intOrString = (v: number | string | undefined): string => (v === undefined || v === null ? "N/A" : String(v));

export const podDisruptionBudgetPrinter: Printer<PodDisruptionBudget> = {
  columns: [
    NAME_COLUMN,
    column("Min Available", "The minimum number of pods that must be available."),
    column("Max Unavailable", "The maximum number of pods that may be unavailable."),
    column("Allowed Disruptions", "Calculated number of pods that may be disrupted at this time.", { type: "integer" }),
    AGE_COLUMN,
  ],
  cells: (p, now) => [
    p.metadata.name ?? "",
    intOrString(p.spec?.minAvailable),
    intOrString(p.spec?.maxUnavailable),
    p.status?.disruptionsAllowed ?? 0,
    formatAge(p.metadata.creationTimestamp, now),
  ],
};
