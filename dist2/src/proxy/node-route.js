export function serviceRouteArgv(op, serviceCIDR) {
    return ["ip", "route", op, "local", serviceCIDR, "dev", "lo", "table", "local"];
}
export async function addServiceRoute(runner, serviceCIDR, owner) {
    await runner.run(serviceRouteArgv("replace", serviceCIDR), { owner });
}
/** Idempotent: a missing route is fine. */
export async function removeServiceRoute(runner, serviceCIDR, owner) {
    await runner.run(serviceRouteArgv("del", serviceCIDR), { owner, allowFail: true });
}
//# sourceMappingURL=node-route.js.map