/**
 * Streaming client for the nodelet CLI: exec/attach and port-forward through the API server, over any connection
 * the caller opens (unix socket, TCP, TLS).
 */
export { StreamError, dialWebSocket } from "./dial.js";
export { decodeStatus, execSession } from "./exec.js";
export { portForward } from "./port-forward.js";
//# sourceMappingURL=index.js.map