import * as pulumi from "@pulumi/pulumi";
import type { VmPlan } from "../model/types";
import type { RenderedFile } from "../vm/rendered-file";
import { withDeployedDigest } from "../vm/deployed-digest";
import type { TierComponent, TierComponentArgs, TierCredential, TlsEndpoint } from "../tiers/tier-component";
import { tierMonitors, type ServiceMonitor } from "../tiers/monitors";
import { tlsPolicy } from "../pki/tls-policy";
import { PRODUCTION_LOCAL_SYSLOG } from "../logging/local-syslog";
import { PRODUCTION_KEEPALIVED_PATHS } from "../network/vrrp/keepalived-paths";
import { keepalivedConfigTestCopy, renderKeepalivedConf } from "../network/vrrp/render-keepalived-conf";
import { renderKeepalivedNotify } from "../network/vrrp/render-keepalived-notify";
import { planVrrpInstance, type VrrpTrack } from "../network/vrrp/vrrp-plan";
import { PRODUCTION_HAPROXY_PATHS } from "./haproxy-paths";
import { planLoadBalancer, type LoadBalancerPlan } from "./lb-plan";
import { LB_PATHS } from "./paths";
import { renderHaproxyCfg } from "./render-haproxy-cfg";
import { renderHaproxyCheck } from "./render-haproxy-check";
import { renderLbApplyScript, renderLbPackagesScript } from "./render-lb-scripts";
import { NONLOCAL_BIND_SYSCTL_PATH, renderNonlocalBindSysctl } from "../network/vrrp/render-nonlocal-bind-sysctl";

/**
 * keepalived's check of HAProxy: every second; two misses in a row (HAProxy gone for about 2 s, longer than
 * a reload) put the instance in FAULT and the address moves; two passes take it back out of FAULT.
 */
export const HAPROXY_TRACK: VrrpTrack = { kind: "script", name: "chk_haproxy", path: LB_PATHS.haproxyCheck, intervalMs: 1000, timeoutMs: 1000, fall: 2, rise: 2 };

const world = { mode: "0644", owner: "root:root" } as const;
const executable = { mode: "0755", owner: "root:root" } as const;

/** The front certificate and the internal CA's files a load balancer's HAProxy reads. */
export interface LoadBalancerSecrets {
  /** The front certificate's PEM followed by its private key's (a secret). */
  frontPem: pulumi.Input<string>;
  caPem: pulumi.Input<string>;
  crlPem: pulumi.Input<string>;
}

/**
 * Every file of one load balancer, in install order: the packages first (the keepalived_script user), the
 * scripts keepalived runs, the TLS files, the sysctl drop-in, the staged haproxy.cfg and keepalived.conf, the
 * apply script; last the digest whose follow-up runs it.
 */
export function loadBalancerFilesForVm(args: Pick<TierComponentArgs, "spec" | "model">, plan: LoadBalancerPlan, vm: string, secrets: LoadBalancerSecrets): RenderedFile[] {
  const instance = planVrrpInstance(args.model, args.spec, { virtualAddress: "loadBalancer", vmName: vm, track: HAPROXY_TRACK });
  const keepalived = renderKeepalivedConf([instance], PRODUCTION_KEEPALIVED_PATHS, vm);
  const files: RenderedFile[] = [
    { path: LB_PATHS.packagesScript, content: renderLbPackagesScript(), ...executable, afterChange: LB_PATHS.packagesScript },
    { path: PRODUCTION_KEEPALIVED_PATHS.notifyScript, content: renderKeepalivedNotify(PRODUCTION_LOCAL_SYSLOG), ...executable },
    { path: LB_PATHS.haproxyCheck, content: renderHaproxyCheck(LB_PATHS.haproxyPidFile), ...executable },
    // HAProxy reads its certificates while it parses the file, as root, before it chroots and drops to the
    // haproxy user (and its master, which re-reads them on reload, stays root): the key can be root-only.
    { path: PRODUCTION_HAPROXY_PATHS.frontPem, content: pulumi.secret(secrets.frontPem), mode: "0600", owner: "root:root" },
    { path: PRODUCTION_HAPROXY_PATHS.caFile, content: secrets.caPem, ...world },
    { path: PRODUCTION_HAPROXY_PATHS.crlFile, content: secrets.crlPem, ...world },
    { path: NONLOCAL_BIND_SYSCTL_PATH, content: renderNonlocalBindSysctl(), ...world },
    { path: LB_PATHS.stagedHaproxyCfg, content: renderHaproxyCfg(plan, tlsPolicy(args.spec), PRODUCTION_HAPROXY_PATHS), ...world },
    { path: LB_PATHS.stagedKeepalivedConf, content: keepalived, ...world },
    { path: LB_PATHS.stagedKeepalivedTest, content: keepalivedConfigTestCopy(keepalived), ...world },
    { path: LB_PATHS.applyScript, content: renderLbApplyScript(), ...executable },
  ];
  return withDeployedDigest(files, LB_PATHS.digest, LB_PATHS.applyScript);
}

/**
 * The load-balancer tier: HAProxy terminating TLS on the API's virtual address, which keepalived moves
 * between the load balancers. One front certificate (the internal CA) for the public names and the address,
 * shared by both VMs since either may hold the address; the internal CA and its CRL to verify the API
 * instances. Offers no credentials.
 */
export class LoadBalancerTier extends pulumi.ComponentResource implements TierComponent {
  readonly plan: LoadBalancerPlan;
  readonly credentials: Readonly<Record<string, TierCredential>> = {};
  readonly tlsEndpoints: readonly TlsEndpoint[];
  readonly monitors: readonly ServiceMonitor[];
  private readonly files = new Map<string, RenderedFile[]>();

  constructor(name: string, args: TierComponentArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ibac:loadbalancer:LoadBalancerTier", name, {}, opts);
    this.plan = planLoadBalancer(args.model, args.spec);
    const front = this.plan.frontend;
    const cert = args.ca.issueServerCertificate(`${name}-front-tls`, {
      commonName: front.publicNames[0],
      dnsNames: front.publicNames,
      ipAddresses: [front.address],
    }, this);
    const frontPem = pulumi.secret(pulumi.all([cert.certPem, cert.privateKeyPem]).apply(([c, k]) => `${c.endsWith("\n") ? c : `${c}\n`}${k}`));
    const lbVms = args.model.vms.filter((v) => v.tier === "loadBalancer").sort((a, b) => a.index - b.index);
    this.tlsEndpoints = lbVms.slice(0, 1).map((vm) => ({ vm: vm.name, address: front.address, port: front.port, serverName: front.publicNames[0], what: "HAProxy, the API's front end (on the VRRP master)" }));
    this.monitors = tierMonitors(args.model, "loadBalancer");
    for (const vm of lbVms) {
      this.files.set(vm.name, loadBalancerFilesForVm(args, this.plan, vm.name, { frontPem, caPem: args.ca.certPem, crlPem: args.ca.crlPem }));
    }
    this.registerOutputs({});
  }

  /** The files a VM of this tier gets, in install order; none for a VM of another tier. */
  filesFor(vm: VmPlan): RenderedFile[] {
    return this.files.get(vm.name) ?? [];
  }
}
