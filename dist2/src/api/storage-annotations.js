/** The annotations and finalizers of binding and provisioning, as Kubernetes spells them (one place for all users). */
export const ANN_BIND_COMPLETED = "pv.kubernetes.io/bind-completed";
export const ANN_BOUND_BY_CONTROLLER = "pv.kubernetes.io/bound-by-controller";
export const ANN_PROVISIONED_BY = "pv.kubernetes.io/provisioned-by";
export const ANN_SELECTED_NODE = "volume.kubernetes.io/selected-node";
export const ANN_STORAGE_PROVISIONER = "volume.kubernetes.io/storage-provisioner";
export const ANN_BETA_STORAGE_PROVISIONER = "volume.beta.kubernetes.io/storage-provisioner";
export const ANN_BETA_STORAGE_CLASS = "volume.beta.kubernetes.io/storage-class";
export const PVC_PROTECTION = "kubernetes.io/pvc-protection";
export const PV_PROTECTION = "kubernetes.io/pv-protection";
//# sourceMappingURL=storage-annotations.js.map