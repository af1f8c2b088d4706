import { ApiError } from "../../api/errors.js";
import { relay } from "../../sys/relay.js";
import { findShim } from "../../sys/shim-path.js";
import { parsePorts } from "./portforward-websocket.js";
import { rejectUpgrade, writeSwitchingProtocols } from "./upgrade-response.js";
export const RAW_UPGRADE = "nodelet-tcp";
export async function serveRawPortForward(socket, head, ctx) {
    const ports = parsePorts(ctx.query);
    if (ports.length !== 1)
        throw ApiError.badRequest(`${RAW_UPGRADE} forwards exactly one port per connection (got ${ports.length})`);
    let pod;
    try {
        pod = await ctx.io.portForward(ctx.pod, ports[0]);
    }
    catch (e) {
        rejectUpgrade(socket, (e instanceof ApiError ? e : ApiError.badRequest(String(e))).toStatus());
        return;
    }
    // The tunnel carries half-closes: the client's EOF must not end our side while the pod still answers.
    socket.allowHalfOpen = true;
    writeSwitchingProtocols(socket, { Upgrade: RAW_UPGRADE, Connection: "Upgrade" });
    if (head.length)
        pod.write(head);
    await relay(socket, pod, { shimPath: findShim() });
}
//# sourceMappingURL=portforward-raw.js.map