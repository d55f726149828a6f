import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import type { PlatformSpec } from "../spec/schema";
import type { PlatformModel } from "../model/types";
import type { MonitoringPlan } from "../../monitoring/plan/types";
import type { RenderedFile } from "../vm/rendered-file";
import { ConfigDelivery } from "../vm/deliver";
import { specHostKey } from "../cluster/host-keys";

// The agents on the Proxmox nodes and the QDevice host, which are no VMs of the platform: the toolkit reaches
// them as the cluster component does (components/cluster: root over SSH with the operator's key, each host's
// key pinned from the spec, never trusted on first use), and their files go through the same seam as a VM's
// (ConfigDelivery: staged, installed with owner and mode, the follow-up run on change).

/** A host outside the VMs that runs an agent, and the address the toolkit connects to it on. */
export interface AgentHost {
  host: string;
  /** The spec's address of the node (management) or of the QDevice host: the one its host key is pinned for. */
  connectAddress: string;
  kind: "node" | "qdevice";
}

/** The plan's agents on Proxmox nodes and the QDevice host, with the address each is reached on. */
export function agentHostsOutsideVms(plan: MonitoringPlan, model: Pick<PlatformModel, "nodes" | "qdevice">): AgentHost[] {
  const kinds = new Map(plan.hosts.map((h) => [h.name, h.kind]));
  return plan.agents.flatMap((a): AgentHost[] => {
    const kind = kinds.get(a.host);
    if (kind === "node") {
      const node = model.nodes.find((n) => n.name === a.host);
      if (!node) throw new Error(`monitoring agents: the plan's node ${a.host} is no node of the model`);
      return [{ host: a.host, connectAddress: node.managementAddress, kind }];
    }
    if (kind === "qdevice") {
      if (model.qdevice?.name !== a.host) throw new Error(`monitoring agents: the plan's QDevice host ${a.host} is not the model's`);
      return [{ host: a.host, connectAddress: model.qdevice.address, kind }];
    }
    return [];
  });
}

/**
 * ConfigDelivery installs with sudo (a VM's deploy user); Proxmox VE and a bare Debian QDevice host may have
 * none, so root installs it first. Idempotent: nothing happens where sudo exists.
 */
export const SUDO_BOOTSTRAP = "command -v sudo >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends sudo";

/** Delivers `files` to `target` as root over SSH, its host key pinned from the spec. */
export function deliverToAgentHost(name: string, spec: PlatformSpec, target: AgentHost, files: RenderedFile[], privateKey: pulumi.Input<string>, parent: pulumi.Resource): ConfigDelivery {
  const connection = { host: target.connectAddress, hostKey: specHostKey(spec, target.connectAddress), user: "root", privateKey: pulumi.secret(privateKey), dialErrorLimit: 5 };
  const sudo = new command.remote.Command(`${name}-sudo`, { connection, create: SUDO_BOOTSTRAP }, { parent });
  return new ConfigDelivery(`${name}-config`, { connection, files, dependsOn: [sudo] }, { parent });
}
