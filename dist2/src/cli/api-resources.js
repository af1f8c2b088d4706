/** `nodelet api-resources`: the resources this node serves, as kubectl lists them. */
import { RESOURCES, apiVersionOf } from "../api/resources.js";
import { formatColumns } from "./printers.js";
export async function main() {
    const rows = [["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]];
    for (const r of RESOURCES)
        rows.push([r.plural, r.shortNames.join(","), apiVersionOf(r), String(r.namespaced), r.kind]);
    process.stdout.write(formatColumns(rows));
    return 0;
}
//# sourceMappingURL=api-resources.js.map