import type * as pulumi from "@pulumi/pulumi";
import { offeredCredential, type TierComponentArgs } from "../tiers/tier-component";
import { ApplicationServiceComponent, type ExtraServiceFiles } from "../app-service/component";
import { deriveFrsArchivePlan } from "./archive/archive-plan";
import { frsArchiveFiles } from "./archive/archive-files";

/**
 * FRS's own files beside its service's, on each FRS VM: the local-retention archive job (components/frs/archive/),
 * with the FRS S3 user the object store offers and the internal CA its certificate is checked against. They
 * come after the service's files (which create the FRS user the job runs as) and before the deployment's digest.
 */
function frsArchiveJob(args: TierComponentArgs): ExtraServiceFiles {
  const s3 = offeredCredential(args.offered, "objectStore", "frs", "the frs tier");
  return (instance) => {
    const vm = args.model.vms.find((v) => v.name === instance.vm);
    if (!vm) throw new Error(`the FRS archive job: the model has no VM ${instance.vm}`);
    return frsArchiveFiles(deriveFrsArchivePlan(args.spec, args.model, vm), args.spec.objectStore.minioClient, { accessKey: s3.user, secretKey: s3.password, caPem: args.ca.certPem });
  };
}

/**
 * The FRS tier: the operator's face-recognition service on each FRS VM (components/app-service/: its plan,
 * unit, env file and install script, shared with the API), writing only its data directory on the data disk,
 * with a certificate for the VM's name and address that the API verifies, and its local-retention job.
 */
export class FrsTier extends ApplicationServiceComponent {
  static readonly __pulumiType = "ibac:frs:FrsTier";

  constructor(name: string, args: TierComponentArgs, opts?: pulumi.ComponentResourceOptions) {
    super(FrsTier.__pulumiType, "frs", name, args, opts, frsArchiveJob(args));
  }
}
