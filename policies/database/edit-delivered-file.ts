import type { PolicyResource } from "@pulumi/policy";
import { USER_DATA_PATH_IN_VM } from "../../components/vm/component";
import { targetPathOf } from "../../components/vm/deliver";
import { mutate } from "../testing/policy-fixture";

/**
 * Test support (belongs in policies/testing/policy-fixture.ts; kept here because that folder is not ours):
 * rewrites the text one file-carrying resource delivers to a VM, the way a renderer bug would.
 */
export function editDeliveredFile(resources: PolicyResource[], vm: string, path: string, edit: (text: string) => string): PolicyResource[] {
  return mutate(resources, (r) => r.type === "command:remote:CopyToRemote" && r.name.startsWith(`${vm}-config-`) && targetPathOf(String(r.props.remotePath)) === path, (r) => {
    const source = r.props.source as { text: string };
    const next = edit(source.text);
    if (next === source.text) throw new Error(`editDeliveredFile: the edit left ${vm}:${path} unchanged`);
    r.props.source = { text: next };
  });
}

/** Rewrites the cloud-init user data of one snippet (`<vm>-user-data-<node>`), as a renderer bug would. */
export function editUserData(resources: PolicyResource[], snippetName: string, edit: (text: string) => string): PolicyResource[] {
  return mutate(resources, (r) => r.type === "proxmoxve:index/fileLegacy:FileLegacy" && r.name === snippetName, (r) => {
    const raw = r.props.sourceRaw as { data: string };
    const next = edit(raw.data);
    if (next === raw.data) throw new Error(`editUserData: the edit left ${snippetName} (${USER_DATA_PATH_IN_VM}) unchanged`);
    r.props.sourceRaw = { ...raw, data: next };
  });
}
