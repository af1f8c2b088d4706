/**
 * nodelet's own port-forward transport (`Upgrade: nodelet-tcp`): after the 101 the connection IS the forwarded TCP
 * stream to one pod port — no framing at all — so both ends can hand it to the kernel's splice relay for bulk
 * transfers (src/sys/relay.ts). Used by nodelet's CLI on the unix socket; kubectl keeps its SPDY/WebSocket
 * protocols. The pod is dialled before the 101, so a refused port is an HTTP error, not a dropped stream.
 */
import type { Duplex } from "node:stream";
import { ApiError } from "../../api/errors.js";
import { relay } from "../../sys/relay.js";
import { findShim } from "../../sys/shim-path.js";
import type { StreamContext } from "./context.js";
import { parsePorts } from "./portforward-websocket.js";
import { rejectUpgrade, writeSwitchingProtocols } from "./upgrade-response.js";

export const RAW_UPGRADE = "nodelet-tcp";

export async function serveRawPortForward(socket: Duplex, head: Buffer, ctx: StreamContext): Promise<void> {
  const ports = parsePorts(ctx.query);
  if (ports.length !== 1) throw ApiError.badRequest(`${RAW_UPGRADE} forwards exactly one port per connection (got ${ports.length})`);
  let pod: Duplex;
  try {
    pod = await ctx.io.portForward(ctx.pod, ports[0]);
  } catch (e) {
    rejectUpgrade(socket, (e instanceof ApiError ? e : ApiError.badRequest(String(e))).toStatus());
    return;
  }
  // The tunnel carries half-closes: the client's EOF must not end our side while the pod still answers.
  (socket as Duplex & { allowHalfOpen?: boolean }).allowHalfOpen = true;
  writeSwitchingProtocols(socket, { Upgrade: RAW_UPGRADE, Connection: "Upgrade" });
  if (head.length) pod.write(head);
  await relay(socket, pod, { shimPath: findShim() });
}
