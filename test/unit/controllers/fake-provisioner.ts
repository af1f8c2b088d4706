/** A local provisioner on paper for the PV controller's tests: it records what it made and fails when told to. */
import { ResourceExhaustedError } from "../../../src/api/resource-exhausted.js";
import type { VolumeProvisioner } from "../../../src/controllers/pv-binder/provisioner.js";

export class FakeProvisioner implements VolumeProvisioner {
  readonly name = "nodelet.io/local";
  made = new Set<string>();
  /** The next provisionings refused for lack of room (a node whose disk is full), as the local provisioner refuses. */
  full = 0;
  /** Every provisioning refused with this message while set. */
  failWith?: string;

  async provision(name: string) {
    if (this.full > 0 && this.full--) throw new ResourceExhaustedError("insufficient disk space: the claim needs 68 MiB");
    if (this.failWith) throw new Error(this.failWith);
    this.made.add(name);
    return { path: `/vols/${name}/mount` };
  }
  async delete(name: string) {
    this.made.delete(name);
  }
  async expand() {
    return true;
  }
  async release() {}
}
