import type { PlatformSpec } from "../spec/schema";
import type { PlatformModel } from "../model/types";

/** HTTPS on the API's address: the only port the load balancer serves (no :80; the app only speaks HTTPS). */
export const FRONT_PORT = 443;

/** One API instance as HAProxy sees it: it presents a certificate for its fqdn (and its service address). */
export interface ApiBackend {
  name: string;
  fqdn: string;
  address: string;
  port: number;
}

/** What the load balancer serves and where it sends it, from the model and the spec. */
export interface LoadBalancerPlan {
  frontend: { address: string; port: number; publicNames: string[] };
  backends: ApiBackend[];
  healthCheck: { path: string; intervalMs: number; timeoutMs: number; fall: number; rise: number };
}

/** The load balancer of a model: the API's virtual address in front, every API VM behind it. */
export function planLoadBalancer(model: Pick<PlatformModel, "vms" | "virtualIps">, spec: Pick<PlatformSpec, "api" | "loadBalancer">): LoadBalancerPlan {
  const address = model.virtualIps.loadBalancer;
  if (!address) throw new Error("the model has no loadBalancer virtual address");
  const backends = model.vms
    .filter((v) => v.tier === "api")
    .sort((a, b) => a.index - b.index)
    .map((vm) => {
      const nic = vm.nics.find((n) => n.network === "service");
      if (!nic) throw new Error(`${vm.name}: no NIC on the service network`);
      return { name: vm.name, fqdn: vm.fqdn, address: nic.address, port: spec.api.port };
    });
  if (backends.length === 0) throw new Error("the load balancer has no API instance to send requests to");
  const { intervalMs, timeoutMs, fall, rise } = spec.loadBalancer.healthCheck;
  return {
    frontend: { address, port: FRONT_PORT, publicNames: [...spec.loadBalancer.publicNames] },
    backends,
    healthCheck: { path: spec.api.healthPath, intervalMs, timeoutMs, fall, rise },
  };
}
