import type * as pulumi from "@pulumi/pulumi";
import type { TierComponentArgs } from "../tiers/tier-component";
import { ApplicationServiceComponent, type ExtraServiceFiles } from "../app-service/component";

/**
 * FRS's own files beside its service's, on each FRS VM: the local-retention archive job.
 *
 * ---- SEAM: the FRS archive job joins here. ----
 * Its files (timer, service, script) come from components/frs/archive/ (written by its own change); once it
 * lands, this returns them, e.g. `(instance, plan) => frsArchiveFiles(instance, plan, ...)`. They are installed
 * after the service's files and before the deployment's digest, so a change to them is part of the same
 * follow-up; the data directory they archive from is FRS_DATA_DIR (components/app-service/service-plan.ts).
 */
const FRS_ARCHIVE_FILES: ExtraServiceFiles = () => [];

/**
 * The FRS tier: the operator's face-recognition service on each FRS VM (components/app-service/: its plan,
 * unit, env file and install script, shared with the API), writing only its data directory on the data disk,
 * with a certificate for the VM's name and address that the API verifies.
 */
export class FrsTier extends ApplicationServiceComponent {
  static readonly __pulumiType = "ibac:frs:FrsTier";

  constructor(name: string, args: TierComponentArgs, opts?: pulumi.ComponentResourceOptions) {
    super(FrsTier.__pulumiType, "frs", name, args, opts, FRS_ARCHIVE_FILES);
  }
}
