import type { PolicyResource } from "@pulumi/policy";
import type { PolicyModel } from "../../components/model/policy-view";
import { deliveredFileOf } from "../../components/vm/delivered-files";
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

/** A file a policy resource delivers into one of the model's VMs, its text undefined while unknown. */
export interface ResourceFile {
  vm: string;
  path: string;
  urn: string;
  text: string | undefined;
}

/** Every file the resources deliver into a VM of the model, known text or not (see `deliveredFileOf`). */
export async function resourceFiles(resources: readonly PolicyResource[], model: PolicyModel): Promise<ResourceFile[]> {
  const files: ResourceFile[] = [];
  for (const r of resources) {
    const file = await deliveredFileOf({ type: r.type, inputs: r.props });
    const vm = file ? vmOf(r, model) : undefined;
    if (file && vm) files.push({ vm: vm.name, path: file.path, urn: r.urn, text: file.text });
  }
  return files;
}

/** Every file the stack delivers to a VM whose text is known, with the VM it goes to. */
export async function deliveredFiles(resources: readonly PolicyResource[], model: PolicyModel): Promise<DeliveredFile[]> {
  return (await resourceFiles(resources, model)).flatMap(({ text, ...f }) => (text === undefined ? [] : [{ ...f, content: text }]));
}
