/** The client library: what the CLI and the tests import. */
export {
  ApiClient,
  ConnectionError,
  TABLE_ACCEPT,
  errorFromResponse,
  errorFromStatus,
  toSearchParams,
  type ClientOptions,
  type PatchType,
  type Query,
  type RawResponse,
  type RequestOptions,
  type WatchHandle,
} from "./client.js";
export { resourcePath } from "./paths.js";
export { DEFAULT_SOCKET_PATH } from "./defaults.js";
export type { Table, TableRow, TableColumnDefinition } from "../apiserver/tables/table.js";
