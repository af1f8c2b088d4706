/** Lease columns (printers.go printLease): Name, Holder, Age. */
import type { Lease } from "../lease.js";
import { formatAge } from "./format.js";
import { AGE_COLUMN, NAME_COLUMN, column, type Printer } from "./table.js";

export const leasePrinter: Printer<Lease> = {
  columns: [
    NAME_COLUMN,
    column("Holder", "holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader Election is used, the holder identity must be equal to the elected LeaseCandidate.metadata.name field."),
    AGE_COLUMN,
  ],
  cells: (l, now) => [l.metadata.name ?? "", l.spec?.holderIdentity ?? "", formatAge(l.metadata.creationTimestamp, now)],
};
