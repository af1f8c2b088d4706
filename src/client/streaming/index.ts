/**
 * Streaming client for the nodelet CLI: exec/attach and port-forward through the API server, over any connection
 * the caller opens (unix socket, TCP, TLS).
 */
export { type ApiConnect, type StreamClientOptions, StreamError, dialWebSocket } from "./dial.js";
export { decodeStatus, type ExecStreams, execSession, type TerminalSize } from "./exec.js";
export { type PortForwarder, type PortForwardOptions, type PortMapping, portForward } from "./port-forward.js";
