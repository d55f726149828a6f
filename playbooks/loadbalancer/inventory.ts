import { Type, type Static } from "@sinclair/typebox";
import type { PlatformModel } from "../../components/model/types";
import { expectedFound, type InputProblem } from "../../components/input/input-error";
import { loadInput, readInputText } from "../../components/input/load-input";
import { SERVICE_INTERFACE } from "../../components/vm/guest-interfaces";
import { PRODUCTION_HAPROXY_PATHS } from "../../components/loadbalancer/haproxy-paths";
import { SshLogin } from "../engine/inventory";

// Every value here reaches a shell command (ip addr show dev IF, socat UNIX-CONNECT:PATH): the schema admits
// only the characters each one can mean, so none needs more than shellQuote's plain-word case.
const HOST_NAME = "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$";
const IPV4 = "^((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])$";

export const LoadBalancerHost = Type.Object({
  name: Type.String({ pattern: HOST_NAME, description: "the VM's host name (such as lb-1)" }),
  address: Type.String({ pattern: IPV4, description: "the IPv4 address where SSH answers" }),
  ssh: SshLogin,
}, { additionalProperties: false });

export const LoadBalancerInventory = Type.Object({
  stack: Type.String(),
  /** The API's virtual address, which exactly one load balancer must hold. */
  virtualAddress: Type.String({ pattern: IPV4, description: "the API's virtual address (IPv4)" }),
  interface: Type.String({ pattern: "^[a-z][a-z0-9]{0,14}$", description: "the interface keepalived adds it to, such as eth0" }),
  statsSocket: Type.String({ pattern: "^(/[A-Za-z0-9_.+-]+)+$", description: "HAProxy's stats socket, an absolute path (letters, digits, _ . + -)" }),
  hosts: Type.Array(LoadBalancerHost, { minItems: 2, maxItems: 20, description: "the load balancers" }),
}, { additionalProperties: false });

export type LoadBalancerHost = Static<typeof LoadBalancerHost>;
export type LoadBalancerInventory = Static<typeof LoadBalancerInventory>;

/** The load balancers of a stack as the runbooks reach them (SSH on the service address), production layout. */
export function loadBalancerInventoryFromModel(stack: string, model: Pick<PlatformModel, "vms" | "virtualIps">, sshUser: string): LoadBalancerInventory {
  return {
    stack,
    virtualAddress: model.virtualIps.loadBalancer,
    interface: SERVICE_INTERFACE,
    statsSocket: PRODUCTION_HAPROXY_PATHS.statsSocket,
    hosts: model.vms
      .filter((v) => v.tier === "loadBalancer")
      .sort((a, b) => a.index - b.index)
      .map((v) => ({ name: v.name, address: (v.nics.find((n) => n.network === "service") ?? v.nics[0]).address, ssh: { port: 22, user: sshUser, sudo: sshUser !== "root" } })),
  };
}

function meaningProblems(inventory: LoadBalancerInventory, input: { problem(path: (string | number)[], made: Pick<InputProblem, "detail" | "expected" | "found">): InputProblem }, stack: string): InputProblem[] {
  const problems: InputProblem[] = [];
  if (inventory.stack !== stack) problems.push(input.problem(["stack"], expectedFound(JSON.stringify(stack), JSON.stringify(inventory.stack))));
  inventory.hosts.forEach((h, i) => {
    if (inventory.hosts.findIndex((o) => o.name === h.name) !== i) problems.push(input.problem(["hosts", i, "name"], expectedFound("a host name no earlier host has", JSON.stringify(h.name))));
  });
  return problems;
}

/** A load-balancer inventory file (the lab, or a site with another layout); a bad file is an InputError. */
export function loadLoadBalancerInventoryFile(file: string, stack: string): LoadBalancerInventory {
  return loadInput({
    file,
    text: readInputText(file, file, "inventory file"),
    schema: LoadBalancerInventory,
    syntax: "JSON",
    expected: "a JSON load-balancer inventory with stack, virtualAddress, interface, statsSocket and hosts",
    checks: (inventory, input) => meaningProblems(inventory, input, stack),
  });
}
