import * as pulumi from "@pulumi/pulumi";
import type { VmPlan } from "../model/types";
import type { RenderedFile } from "../vm/rendered-file";
import { offeredCredential, type TierComponent, type TierComponentArgs, type TierCredential, type TlsEndpoint } from "../tiers/tier-component";
import { tierMonitors, type ServiceMonitor } from "../tiers/monitors";
import type { ApplicationTier } from "./spec-checks";
import { planApplicationService, type ApplicationServicePlan, type ServiceInstance } from "./service-plan";
import { serviceFilesForVm } from "./service-files";
import type { ServiceCredentials } from "./render-environment";

/** A tier's own files for one of its VMs, beside the service's (FRS's archive job); none by default. */
export type ExtraServiceFiles = (instance: ServiceInstance, plan: ApplicationServicePlan) => RenderedFile[];

/**
 * The parts the API's and FRS's components share: per VM a certificate from the internal CA for its name and
 * address (the load balancer checks the API's with `verifyhost <fqdn>`, the API checks FRS's the same way),
 * and the service's files with the accounts it uses (serviceCredentials). It offers no credentials of its own.
 */
export function buildApplicationService(component: pulumi.ComponentResource, tier: ApplicationTier, name: string, args: TierComponentArgs, credentials: pulumi.Output<ServiceCredentials>, extra: ExtraServiceFiles = () => []): {
  plan: ApplicationServicePlan;
  files: Map<string, RenderedFile[]>;
  tlsEndpoints: TlsEndpoint[];
  monitors: ServiceMonitor[];
} {
  const plan = planApplicationService(args.model, args.spec, tier);
  const files = new Map<string, RenderedFile[]>();
  for (const instance of plan.instances) {
    const cert = args.ca.issueServerCertificate(`${name}-${instance.vm}-tls`, {
      commonName: instance.fqdn,
      dnsNames: [instance.fqdn, instance.vm],
      ipAddresses: [instance.address],
    }, component);
    files.set(instance.vm, serviceFilesForVm(plan, instance, {
      caPem: args.ca.certPem,
      crlPem: args.ca.crlPem,
      certPem: cert.certPem,
      keyPem: cert.privateKeyPem,
      credentials,
    }, extra(instance, plan)));
  }
  return {
    plan,
    files,
    tlsEndpoints: plan.instances.map((i) => ({ vm: i.vm, address: i.address, port: plan.port, serverName: i.fqdn, what: `${plan.label} (HTTPS)` })),
    monitors: tierMonitors(args.model, tier),
  };
}

/**
 * The accounts the service uses, from the tiers that offer them, as one secret: throws with the tier and the
 * account named when one is missing (called before anything is registered, so the error is the program's only one).
 */
export function serviceCredentials(tier: ApplicationTier, args: TierComponentArgs): pulumi.Output<ServiceCredentials> {
  const who = `the ${tier} tier`;
  const database = offeredCredential(args.offered, "database", "application", who);
  const objectStore = offeredCredential(args.offered, "objectStore", tier, who);
  return pulumi.secret(pulumi.all([database.password, objectStore.password]).apply(([dbPassword, s3Secret]): ServiceCredentials => ({
    database: { user: database.user, password: dbPassword },
    objectStore: { accessKey: objectStore.user, secretKey: s3Secret },
  })));
}

/** The shape both tier components take (their files by VM, nothing offered). */
export abstract class ApplicationServiceComponent extends pulumi.ComponentResource implements TierComponent {
  readonly plan: ApplicationServicePlan;
  readonly credentials: Readonly<Record<string, TierCredential>>;
  readonly tlsEndpoints: readonly TlsEndpoint[];
  readonly monitors: readonly ServiceMonitor[];
  private readonly files: Map<string, RenderedFile[]>;

  protected constructor(type: string, tier: ApplicationTier, name: string, args: TierComponentArgs, opts: pulumi.ComponentResourceOptions | undefined, extra?: ExtraServiceFiles) {
    // The accounts first: a missing one stops the program before the component registers.
    const credentials = serviceCredentials(tier, args);
    super(type, name, {}, opts);
    this.credentials = {};
    const built = buildApplicationService(this, tier, name, args, credentials, extra);
    this.plan = built.plan;
    this.files = built.files;
    this.tlsEndpoints = built.tlsEndpoints;
    this.monitors = built.monitors;
    this.registerOutputs({});
  }

  /** The files a VM of this tier gets, in install order; none for a VM of another tier. */
  filesFor(vm: VmPlan): RenderedFile[] {
    return this.files.get(vm.name) ?? [];
  }
}
