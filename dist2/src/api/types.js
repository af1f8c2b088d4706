/**
 * Kubernetes API types, the subset nodelet serves. Field names and shapes mirror k8s.io/api so that objects
 * round-trip through real kubectl unchanged. Only the fields we read or write are typed; unknown fields a user sends
 * are kept by the store (objects are stored as JSON) but not interpreted.
 *
 * Reference: https://kubernetes.io/docs/reference/kubernetes-api/
 */
export {};
//# sourceMappingURL=types.js.map