// The files the stack installs on every host monitoring reads evidence from: the VMs (through their DebianVm
// component, as every policy sees them) and the hosts outside the VMs the NRPE agent also runs on, the Proxmox
// nodes and the QDevice host, found by the address their delivery connects to.
import type { PolicyResource } from "@pulumi/policy";
import type { PolicyModel } from "../../components/model/policy-view";
import { deliveredFileOf } from "../../components/vm/delivered-files";
import { vmOf } from "../kit/platform-view";
import { fileKey } from "../kit/pending-files";

/** A file delivered to one host of the model (a VM, a node or the QDevice host). */
export interface HostFile {
  /** The host's model name (`mon-1`, `pve1`, the QDevice host's name). */
  host: string;
  path: string;
  urn: string;
  content: string;
}

export interface HostFiles {
  files: HostFile[];
  /** Files whose text is not known yet (`fileKey(host, path)`): never reported missing. */
  pending: ReadonlySet<string>;
}

/** The model host a delivery's SSH connection reaches, when it is not a VM: a node or the QDevice host. */
function hostByAddress(model: PolicyModel, address: unknown): string | undefined {
  if (typeof address !== "string") return undefined;
  return model.nodes.find((n) => n.managementAddress === address)?.name ?? (model.qdevice?.address === address ? model.qdevice.name : undefined);
}

/** Every file the resources deliver to a host of the model. */
export async function hostFilesOf(resources: readonly PolicyResource[], model: PolicyModel): Promise<HostFiles> {
  const files: HostFile[] = [];
  const pending = new Set<string>();
  for (const r of resources) {
    const file = await deliveredFileOf({ type: r.type, inputs: r.props });
    if (!file) continue;
    const connection = r.props.connection as { host?: unknown } | undefined;
    const host = vmOf(r, model)?.name ?? hostByAddress(model, connection?.host);
    if (host === undefined) continue;
    if (file.text === undefined) pending.add(fileKey(host, file.path));
    else files.push({ host, path: file.path, urn: r.urn, content: file.text });
  }
  return { files, pending };
}
