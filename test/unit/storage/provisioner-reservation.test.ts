/**
 * The local provisioner's disk check under concurrent provisioning (the PV controller makes claims' volumes at the
 * same time): space granted to a volume still being made counts for the next one, so two claims that each fit
 * alone but not together are not both accepted; the reservation goes when the volume is made or has failed.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalProvisioner } from "../../../src/storage/local-provisioner.js";
import { imageBytesFor } from "../../../src/storage/loop-image.js";
import { ScriptedRunner } from "../../../src/sys/scripted-runner.js";
import { waitFor } from "../../helpers/wait.js";

const MiB = 1024 * 1024;

/** Holds every mkfs until release(): a volume stays "being made" as long as the test wants. */
class HeldMkfs extends ScriptedRunner {
  private open!: () => void;
  private readonly gate = new Promise<void>((r) => (this.open = r));
  holding = false;
  release(): void {
    this.open();
  }
  override async run(argv: string[], opts?: Parameters<ScriptedRunner["run"]>[1]) {
    if (argv[0] === "mkfs.ext4") {
      this.holding = true;
      await this.gate;
    }
    return super.run(argv, opts);
  }
}

test("two claims that fit only one at a time: while one is made the other is refused naming the space; then it fits", async () => {
  const dir = mkdtempSync(join(tmpdir(), "nodelet-reserve-"));
  try {
    // A disk with room for one 60 MiB volume (and its overhead), not two; the scripted runner makes no files, so
    // only the reservation can tell the second provisioning about the first.
    const runner = new HeldMkfs();
    const p = new LocalProvisioner(join(dir, "volumes"), runner, () => imageBytesFor(60 * MiB) + 10 * MiB);
    const first = p.provision("pvc-a", 60 * MiB, "Filesystem");
    await waitFor("the first volume's mkfs", () => runner.holding, 5000);
    await assert.rejects(p.provision("pvc-b", 60 * MiB, "Filesystem"), {
      message: /^insufficient disk space: the claim needs 67 MiB \(60 MiB requested plus filesystem overhead\) and .* has 10 MiB free after the 67 MiB other volumes may still use$/,
    });
    runner.release();
    await first;
    // Once the first is made its reservation is gone (its image, here scripted away, is what counts then).
    await p.provision("pvc-b", 60 * MiB, "Filesystem");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a failed provisioning gives its reservation back", async () => {
  const dir = mkdtempSync(join(tmpdir(), "nodelet-reserve-"));
  try {
    let fail = true;
    const runner = new ScriptedRunner((argv) => (argv[0] === "mkfs.ext4" && fail ? { code: 1, stderr: "mkfs failed" } : undefined));
    const p = new LocalProvisioner(join(dir, "volumes"), runner, () => imageBytesFor(60 * MiB) + 10 * MiB);
    await assert.rejects(p.provision("pvc-a", 60 * MiB, "Filesystem"), /mkfs failed/);
    fail = false;
    await p.provision("pvc-b", 60 * MiB, "Filesystem");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
