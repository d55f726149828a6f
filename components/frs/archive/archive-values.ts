import { checkHostName, checkIpv4, checkPath, checkPort, checkUserName } from "../../storage/minio-values";
import type { FrsArchivePlan } from "./archive-plan";

// The plan's values, checked for what they mean before they reach a shell script or a unit: the plan comes from
// the model, and a value that is not what it should be is a bug upstream that the renderers refuse.

const VM_NAME = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function checkedArchivePlan(plan: FrsArchivePlan, where: string): FrsArchivePlan {
  if (!VM_NAME.test(plan.vm)) throw new Error(`${where}: vm: expected a VM name such as frs-1, found ${JSON.stringify(plan.vm)}`);
  checkUserName(plan.user, `${where}: user`);
  checkPath(plan.dataDir, `${where}: dataDir`);
  if (plan.dataDir === "/") throw new Error(`${where}: dataDir: expected a directory below /, found "/"`);
  if (!Number.isInteger(plan.retentionDays) || plan.retentionDays < 1 || plan.retentionDays > 365) {
    throw new Error(`${where}: retentionDays: expected 1 to 365 days (frs.localRetentionDays), found ${plan.retentionDays}`);
  }
  if (!BUCKET.test(plan.bucket)) throw new Error(`${where}: bucket: expected an S3 bucket name, found ${JSON.stringify(plan.bucket)}`);
  checkHostName(plan.endpoint.serverName, `${where}: endpoint.serverName`);
  checkPort(plan.endpoint.port, `${where}: endpoint.port`);
  checkIpv4(plan.endpoint.address, `${where}: endpoint.address`);
  checkPath(plan.mcBinary, `${where}: mcBinary`);
  checkPath(plan.caFile, `${where}: caFile`);
  checkPath(plan.stateDir, `${where}: stateDir`);
  return plan;
}
