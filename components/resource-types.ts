import type * as pulumi from "@pulumi/pulumi";
import * as proxmox from "@muhlba91/pulumi-proxmoxve";
import * as command from "@pulumi/command";
import * as minio from "@pulumi/minio";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";

// The one place that knows the engine's type token of each resource class: the policies, the offline plan and
// its mocks match resources through it, so a provider upgrade that renames a type breaks here, loudly, rather
// than silently making a policy "not applicable".

/** A resource class: an SDK-generated one, or one of the toolkit's components. */
export type ResourceClass = abstract new (...args: never[]) => pulumi.Resource;

/**
 * The type token a resource of this class registers under. Generated SDK classes carry it as the static
 * `__pulumiType` (internal in their typings), which is what `@pulumi/policy`'s `validateResourceOfType` reads
 * (its `getPulumiType`); the toolkit's components declare the same static.
 */
export function typeTokenOf(resourceClass: ResourceClass): string {
  const token: unknown = (resourceClass as unknown as { __pulumiType?: unknown }).__pulumiType;
  if (typeof token !== "string" || token.length === 0) throw new Error(`${resourceClass.name} carries no Pulumi type token (static __pulumiType)`);
  return token;
}

/** Every provider resource class the toolkit creates, by a name unique in the toolkit. */
export const RESOURCES = {
  AclLegacy: proxmox.AclLegacy,
  ClusterFirewallLegacy: proxmox.cluster.FirewallLegacy,
  DirectoryLegacy: proxmox.storage.DirectoryLegacy,
  DownloadFile: proxmox.download.File,
  FileLegacy: proxmox.FileLegacy,
  FirewallAliasLegacy: proxmox.firewall.AliasLegacy,
  FirewallIpsetLegacy: proxmox.firewall.IpsetLegacy,
  FirewallOptionsLegacy: proxmox.firewall.OptionsLegacy,
  FirewallRulesLegacy: proxmox.firewall.RulesLegacy,
  Hagroup: proxmox.Hagroup,
  Haresource: proxmox.Haresource,
  Harule: proxmox.Harule,
  Replication: proxmox.Replication,
  RoleLegacy: proxmox.RoleLegacy,
  SecurityGroupLegacy: proxmox.cluster.firewall.security.GroupLegacy,
  TokenLegacy: proxmox.user.TokenLegacy,
  UserLegacy: proxmox.UserLegacy,
  VmLegacy: proxmox.VmLegacy,
  RemoteCommand: command.remote.Command,
  LocalCommand: command.local.Command,
  CopyToRemote: command.remote.CopyToRemote,
  RandomPassword: random.RandomPassword,
  RandomBytes: random.RandomBytes,
  CertRequest: tls.CertRequest,
  LocallySignedCert: tls.LocallySignedCert,
  PrivateKey: tls.PrivateKey,
  SelfSignedCert: tls.SelfSignedCert,
  MinioS3Bucket: minio.S3Bucket,
  MinioS3BucketVersioning: minio.S3BucketVersioning,
  MinioS3BucketServerSideEncryption: minio.S3BucketServerSideEncryption,
  MinioIlmPolicy: minio.IlmPolicy,
  MinioIamUser: minio.IamUser,
  MinioIamPolicy: minio.IamPolicy,
  MinioIamUserPolicyAttachment: minio.IamUserPolicyAttachment,
} as const satisfies Record<string, ResourceClass>;

export type ResourceName = keyof typeof RESOURCES;

/** The type token of each class in `RESOURCES`, for `switch`, `appliesTo` and filters. */
export const RESOURCE_TYPES = Object.fromEntries(
  Object.entries(RESOURCES).map(([name, resourceClass]) => [name, typeTokenOf(resourceClass)]),
) as { readonly [K in ResourceName]: string };

/**
 * Providers register as `pulumi:providers:<package>`; the class's static token is the package alone (the SDK's
 * `Provider.isInstance` joins the two the same way).
 */
export const PROVIDER_TYPES = {
  Proxmox: `pulumi:providers:${typeTokenOf(proxmox.Provider)}`,
  Minio: `pulumi:providers:${typeTokenOf(minio.Provider)}`,
} as const;

/** Whether a resource (a policy's view of one, or a plan entry) is of the class. */
export function isResourceOf(resource: { readonly type: string }, resourceClass: ResourceClass): boolean {
  return resource.type === typeTokenOf(resourceClass);
}
