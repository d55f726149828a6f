import type { PolicyModel } from "../../components/model/policy-view";

/** Every address the cluster itself answers on, with its owner: nodes, VMs, floating addresses, the QDevice. */
export function clusterAddresses(model: PolicyModel): Map<string, string> {
  const owners = new Map<string, string>();
  for (const n of model.nodes) {
    owners.set(n.managementAddress, `node ${n.name}`);
    owners.set(n.clusterAddress, `node ${n.name}`);
  }
  for (const vm of model.vms) for (const nic of vm.nics) owners.set(nic.address, `VM ${vm.name}`);
  for (const [name, address] of Object.entries(model.virtualIps)) owners.set(address, `the ${name} virtual IP`);
  if (model.qdevice) owners.set(model.qdevice.address, `the QDevice ${model.qdevice.name}`);
  return owners;
}

export const IPV4 = /^((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])$/;
