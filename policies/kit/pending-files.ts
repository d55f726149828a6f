import type { PolicyResource } from "@pulumi/policy";
import type { PolicyModel } from "../../components/model/policy-view";
import { USER_DATA_PATH_IN_VM } from "../../components/vm/component";
import { targetPathOf } from "../../components/vm/deliver";
import { vmOf } from "./platform-view";
import { deliveredText } from "./rendered-files";

/** The key of a file in a VM, for `pendingFiles`. */
export function fileKey(vm: string, path: string): string {
  return `${vm}\0${path}`;
}

/**
 * The files a resource delivers whose text is not known yet: under `pulumi preview` of a new stack, a file
 * rendered from a secret or a certificate is an unknown output until `pulumi up`. `deliveredFiles` leaves them
 * out; a policy must not report such a file as missing (the offline plan knows every text, so this is empty
 * there). Keys from `fileKey`.
 */
export async function pendingFiles(resources: readonly PolicyResource[], model: PolicyModel): Promise<Set<string>> {
  const pending = new Set<string>();
  for (const r of resources) {
    const isCopy = r.type === "command:remote:CopyToRemote";
    const isSnippet = r.type === "proxmoxve:index/fileLegacy:FileLegacy" && r.props.contentType === "snippets";
    if (!isCopy && !isSnippet) continue;
    const vm = vmOf(r, model);
    const path = isCopy ? targetPathOf(String(r.props.remotePath)) : USER_DATA_PATH_IN_VM;
    if (vm && path && (await deliveredText(r)) === undefined) pending.add(fileKey(vm.name, path));
  }
  return pending;
}
