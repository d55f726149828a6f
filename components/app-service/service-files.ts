import * as pulumi from "@pulumi/pulumi";
import type { RenderedFile } from "../vm/rendered-file";
import { withDeployedDigest } from "../vm/deployed-digest";
import type { ApplicationServicePlan, ServiceInstance } from "./service-plan";
import { renderInstallScript } from "./render-install-script";
import { renderServiceUnit } from "./render-service-unit";
import { renderEnvironment, type ServiceCredentials } from "./render-environment";

/** What one VM's service files are made from: the internal CA's files, the VM's certificate, the accounts. */
export interface ServiceFileSecrets {
  caPem: pulumi.Input<string>;
  /** The CA's CRL (PEM, public). */
  crlPem: pulumi.Input<string>;
  certPem: pulumi.Input<string>;
  /** The certificate's private key (a secret). */
  keyPem: pulumi.Input<string>;
  /** The database's and the object store's accounts (their passwords secrets). */
  credentials: pulumi.Input<ServiceCredentials>;
}

/**
 * What runs once any of the service's files changed, after the last one is in place: the install script again
 * (idempotent: it re-checks the pinned artifact and downloads nothing when it is in place), then systemd reads
 * the unit, and the service is enabled and restarted with its new files.
 */
export function restartCommand(plan: ApplicationServicePlan): string {
  return `${plan.paths.installScript} && systemctl daemon-reload && systemctl enable ${plan.unit} && systemctl restart ${plan.unit}`;
}

/**
 * Every file of the service on one VM, in install order: the install script first (it creates the service's
 * user, whose group the TLS key is installed for, and installs the artifact), the CA, the certificate, the key,
 * the CRL, the root-only env file and the unit; then `extra` (a tier's own files: FRS's archive job), and last a
 * digest of them all, whose follow-up restarts the service once everything it reads is in place.
 */
export function serviceFilesForVm(plan: ApplicationServicePlan, instance: ServiceInstance, secrets: ServiceFileSecrets, extra: readonly RenderedFile[] = []): RenderedFile[] {
  const world = { mode: "0644", owner: "root:root" } as const;
  const tls = plan.paths.tls;
  const env = pulumi.secret(pulumi.output(secrets.credentials).apply((credentials) => renderEnvironment(plan, instance, credentials)));
  const files: RenderedFile[] = [
    { path: plan.paths.installScript, content: renderInstallScript(plan), mode: "0755", owner: "root:root", afterChange: plan.paths.installScript },
    { path: tls.ca, content: secrets.caPem, ...world },
    { path: tls.cert, content: secrets.certPem, ...world },
    // The service reads its key itself, as its own user: readable by its group from the first install on.
    { path: tls.key, content: pulumi.secret(secrets.keyPem), mode: "0640", owner: `root:${plan.user}` },
    { path: tls.crl, content: secrets.crlPem, ...world },
    // The database password and the S3 secret key: read by systemd as root, never by the service's user.
    { path: plan.paths.envFile, content: env, mode: "0600", owner: "root:root" },
    { path: plan.paths.unitPath, content: renderServiceUnit(plan), ...world },
    ...extra,
  ];
  return withDeployedDigest(files, `${plan.paths.stateDir}/deployed.sha256`, restartCommand(plan));
}
