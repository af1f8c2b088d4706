/** The client library: what the CLI and the tests import. */
export { ApiClient, TABLE_ACCEPT, toSearchParams, } from "./client.js";
export { ConnectionError } from "./connection-error.js";
export { errorFromResponse, errorFromStatus } from "./errors.js";
export { resourcePath } from "./paths.js";
export { DEFAULT_SOCKET_PATH } from "../wire/defaults.js";
//# sourceMappingURL=index.js.map