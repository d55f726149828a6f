import type { PolicyModel } from "../../components/model/policy-view";
import type { PolicyResource } from "@pulumi/policy";
import { USER_DATA_PATH_IN_VM } from "../../components/vm/component";
import { targetPathOf } from "../../components/vm/deliver";
import { vmOf } from "./platform-view";

/** A file the stack installs in a VM, as the policies see it. */
export interface DeliveredFile {
  vm: string;
  /** Absolute path in the VM. */
  path: string;
  /** The resource that carries it (a CopyToRemote, or the cloud-init snippet). */
  urn: string;
  /** The text; secrets inside it are masked offline and unwrapped by `pulumi preview`. */
  content: string;
}

interface TextAsset {
  text: string | Promise<string>;
}

function isTextAsset(value: unknown): value is TextAsset {
  return typeof value === "object" && value !== null && "text" in value;
}

/** The text of a file-carrying resource, or undefined when this resource carries none (or it is unknown). */
export async function deliveredText(resource: PolicyResource): Promise<string | undefined> {
  if (resource.type === "command:remote:CopyToRemote") {
    const source: unknown = resource.props.source;
    if (isTextAsset(source)) return await source.text;
    return undefined;
  }
  if (resource.type === "proxmoxve:index/fileLegacy:FileLegacy" && resource.props.contentType === "snippets") {
    const data: unknown = (resource.props.sourceRaw as { data?: unknown } | undefined)?.data;
    return typeof data === "string" ? data : undefined;
  }
  return undefined;
}

/** Every file the stack delivers to a VM, with the VM it goes to. */
export async function deliveredFiles(resources: readonly PolicyResource[], model: PolicyModel): Promise<DeliveredFile[]> {
  const files: DeliveredFile[] = [];
  for (const r of resources) {
    const vm = vmOf(r, model);
    if (!vm) continue;
    const path = r.type === "command:remote:CopyToRemote" ? targetPathOf(String(r.props.remotePath)) : USER_DATA_PATH_IN_VM;
    const content = await deliveredText(r);
    if (path && content !== undefined) files.push({ vm: vm.name, path, urn: r.urn, content });
  }
  return files;
}
