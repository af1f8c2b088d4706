/**
 * RoleBinding and ClusterRoleBinding columns (printers.go printRoleBinding; roles print Name and Created At), and
 * ServiceAccount's (printServiceAccount).
 */
import type { RoleBinding } from "../rbac.js";
import type { ServiceAccount } from "../service-account.js";
import { formatAge } from "./format.js";
import { AGE_COLUMN, NAME_COLUMN, column, type Printer } from "./table.js";

function subjects(b: RoleBinding, kind: string): string {
  return (b.subjects ?? [])
    .filter((s) => s.kind === kind)
    .map((s) => (kind === "ServiceAccount" ? `${s.namespace ?? ""}/${s.name}` : s.name))
    .join(", ");
}

export const serviceAccountPrinter: Printer<ServiceAccount> = {
  columns: [NAME_COLUMN, column("Secrets", "Secrets is the list of secrets allowed to be used by pods running using this ServiceAccount."), AGE_COLUMN],
  cells: (sa, now) => [sa.metadata.name ?? "", (sa.secrets ?? []).length, formatAge(sa.metadata.creationTimestamp, now)],
};

export const roleBindingPrinter: Printer<RoleBinding> = {
  columns: [
    NAME_COLUMN,
    column("Role", "Role referenced by this binding."),
    AGE_COLUMN,
    column("Users", "Users in the binding.", { priority: 1 }),
    column("Groups", "Groups in the binding.", { priority: 1 }),
    column("ServiceAccounts", "ServiceAccounts in the binding.", { priority: 1 }),
  ],
  cells: (b, now) => [
    b.metadata.name ?? "",
    `${b.roleRef?.kind ?? ""}/${b.roleRef?.name ?? ""}`,
    formatAge(b.metadata.creationTimestamp, now),
    subjects(b, "User"),
    subjects(b, "Group"),
    subjects(b, "ServiceAccount"),
  ],
};
