/**
 * A provisioner's refusal for lack of room on its node (CSI's ResourceExhausted): the volume may fit on another
 * node, so a node's provisioner serving the scheduler's choice hands the claim back, as external-provisioner's
 * ProvisioningReschedule removes `volume.kubernetes.io/selected-node`. Its message is the event's.
 */
export class ResourceExhaustedError extends Error {}
