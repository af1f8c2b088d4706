/** Where the daemon's API socket lives unless told otherwise (NODELET_SOCKET overrides it for clients). */
export const DEFAULT_SOCKET_PATH = "/run/nodelet/nodelet.sock";
//# sourceMappingURL=defaults.js.map