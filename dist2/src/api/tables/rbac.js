import { formatAge } from "./format.js";
import { AGE_COLUMN, NAME_COLUMN, column } from "./table.js";
function subjects(b, kind) {
    return (b.subjects ?? [])
        .filter((s) => s.kind === kind)
        .map((s) => (kind === "ServiceAccount" ? `${s.namespace ?? ""}/${s.name}` : s.name))
        .join(", ");
}
export const serviceAccountPrinter = {
    columns: [NAME_COLUMN, column("Secrets", "Secrets is the list of secrets allowed to be used by pods running using this ServiceAccount."), AGE_COLUMN],
    cells: (sa, now) => [sa.metadata.name ?? "", (sa.secrets ?? []).length, formatAge(sa.metadata.creationTimestamp, now)],
};
export const roleBindingPrinter = {
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
//# sourceMappingURL=rbac.js.map