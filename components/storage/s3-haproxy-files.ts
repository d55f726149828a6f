import * as pulumi from "@pulumi/pulumi";
import type { TlsPolicy } from "../pki/tls-policy";
import type { RenderedFile } from "../vm/rendered-file";
import type { ObjectServicePlan } from "./storage-plan";
import { renderS3HaproxyCfg } from "./render-s3-haproxy-cfg";
import { renderS3HaproxyUnit } from "./render-s3-haproxy-unit";
import { S3_HAPROXY_CERT, S3_HAPROXY_CONFIG, S3_HAPROXY_UNIT, S3_HAPROXY_UNIT_PATH } from "./s3-haproxy-paths";

// HAProxy's files for a storage VM (the S3 TLS in front of MinIO), for the tier component to hand to the
// delivery seam. Both VMs get them: HAProxy runs where Pacemaker runs the service group.

export interface S3HaproxyFileSecrets {
  /** The service's certificate (the one MinIO presents too) and its key (a secret). */
  certPem: pulumi.Input<string>;
  keyPem: pulumi.Input<string>;
}

/**
 * A changed file takes effect on the VM that runs HAProxy, by a reload (its config checked first; a bad one
 * leaves the running HAProxy as it was and fails the deployment); on the other VM at its next start.
 */
const RELOAD = `systemctl try-reload-or-restart ${S3_HAPROXY_UNIT}`;

export function s3HaproxyFilesForVm(service: ObjectServicePlan, policy: TlsPolicy, secrets: S3HaproxyFileSecrets): RenderedFile[] {
  // One PEM with the chain's leaf and the key: HAProxy's `crt`. Read by HAProxy as root before it drops to its user.
  const pem = pulumi.secret(pulumi.all([secrets.certPem, secrets.keyPem]).apply(([cert, key]) => `${cert.trimEnd()}\n${key.trimEnd()}\n`));
  return [
    { path: S3_HAPROXY_CERT, content: pem, mode: "0600", owner: "root:root", afterChange: RELOAD },
    // daemon-reload only: Pacemaker starts the unit; nothing here enables or starts it.
    { path: S3_HAPROXY_UNIT_PATH, content: renderS3HaproxyUnit(), mode: "0644", owner: "root:root", afterChange: "systemctl daemon-reload" },
    { path: S3_HAPROXY_CONFIG, content: renderS3HaproxyCfg(service, policy), mode: "0644", owner: "root:root", afterChange: RELOAD },
  ];
}
