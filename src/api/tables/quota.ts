/** ResourceQuota's columns (printers.go printResourceQuota): requests and limits as `name: used/hard`, sorted. */
import type { ResourceQuota } from "../quota.js";
import { formatAge } from "./format.js";
import { AGE_COLUMN, NAME_COLUMN, column, type Printer } from "./table.js";

function usage(rq: ResourceQuota, limits: boolean): string {
  const hard = rq.status?.hard ?? {};
  return Object.keys(hard)
    .filter((n) => n.startsWith("limits.") === limits)
    .sort()
    .map((n) => `${n}: ${rq.status?.used?.[n] ?? "0"}/${hard[n]}`)
    .join(", ");
}

export const resourceQuotaPrinter: Printer<ResourceQuota> = {
  columns: [NAME_COLUMN, AGE_COLUMN, column("Request", "Request represents a minimum amount of cpu/memory that a container may consume."), column("Limit", "Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.")],
  cells: (rq, now) => [rq.metadata.name ?? "", formatAge(rq.metadata.creationTimestamp, now), usage(rq, false), usage(rq, true)],
};
