import * as crypto from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import type { RenderedFile } from "../vm/rendered-file";
import { REPLICATION_SCRIPT_PATH } from "./render-replication-commands";
import { RETENTION_SCRIPT_PATH } from "./render-retention-commands";
import { NOT_PROMOTED_EXIT } from "./mc-script";

// The remote commands that run the rendered mc scripts on the Promoted storage VM, with the keys on standard
// input as a Pulumi secret. The scripts themselves reach the VM through the delivery seam (the files below,
// root-only), so the command runs what the deployment installed, and runs again when it changes.

/** An S3 key pair; both Pulumi inputs (the local root's from @pulumi/random, the third site's from config secrets). */
export interface S3Keys {
  accessKey: pulumi.Input<string>;
  secretKey: pulumi.Input<string>;
}

export interface McCommandArgs {
  /**
   * SSH to one storage VM, at its own address with its pinned host key (the service address moves between two
   * VMs with different host keys, so it cannot be pinned). The command runs on both: the script configures
   * MinIO on the VM that holds the service address and does nothing on the other.
   */
  connection: pulumi.Input<command.types.input.remote.ConnectionArgs>;
  /** The rendered script, as delivered (its hash triggers a re-run). */
  script: string;
}

/**
 * Why a key cannot go into an `MC_HOST_` URL (the same rule the scripts apply), or undefined. The value is a
 * secret and is never part of the message.
 */
export function s3KeyProblem(value: string, what: string): string | undefined {
  if (/^[\x21-\x7e]+$/.test(value) && !value.includes(":")) return undefined;
  return `${what}: expected printable characters without ':' or spaces, found ${value.length} characters that are not (not shown)`;
}

function keysOnStdin(keys: pulumi.Input<string>[], names: string[]): pulumi.Output<string> {
  return pulumi.secret(pulumi.all(keys).apply((values) => {
    values.forEach((v, i) => {
      const problem = s3KeyProblem(v, names[i]);
      if (problem) throw new Error(problem);
    });
    return values.map((v) => `${v}\n`).join("");
  }));
}

const sha256 = (text: string): string => crypto.createHash("sha256").update(text).digest("hex");

function mcCommand(name: string, scriptPath: string, args: McCommandArgs, stdin: pulumi.Output<string>, opts: pulumi.CustomResourceOptions): command.remote.Command {
  return new command.remote.Command(name, {
    connection: args.connection,
    // Run on both storage VMs: the one without the service address exits NOT_PROMOTED_EXIT, which is no failure.
    create: `sudo ${scriptPath} || [ $? -eq ${NOT_PROMOTED_EXIT} ]`,
    stdin,
    // The script's hash re-runs it when it changes; the keys' hash (a secret) when a key is rotated.
    triggers: [sha256(args.script), pulumi.secret(stdin.apply(sha256))],
  }, opts);
}

/** The replication script as a file for the seam: root's only (it runs as root and names the third site). */
export function replicationScriptFile(script: string): RenderedFile {
  return { path: REPLICATION_SCRIPT_PATH, content: script, mode: "0700", owner: "root:root" };
}

export function retentionScriptFile(script: string): RenderedFile {
  return { path: RETENTION_SCRIPT_PATH, content: script, mode: "0700", owner: "root:root" };
}

/**
 * Runs the replication script on the Promoted VM: `mc replicate add` per bucket pair, versioning on both ends.
 * `local` is MinIO's root (it sets the bucket's remote target, an admin action), `remote` the third site's
 * keys (the config secrets ibac:replicationAccessKey and ibac:replicationSecretKey), all four on standard input.
 * `opts.dependsOn` must hold the delivery of the script and the buckets.
 */
export function replicationCommand(name: string, args: McCommandArgs & { local: S3Keys; remote: S3Keys }, opts: pulumi.CustomResourceOptions = {}): command.remote.Command {
  const stdin = keysOnStdin(
    [args.local.accessKey, args.local.secretKey, args.remote.accessKey, args.remote.secretKey],
    ["MinIO's root user", "MinIO's root password", "ibac:replicationAccessKey", "ibac:replicationSecretKey"],
  );
  return mcCommand(name, REPLICATION_SCRIPT_PATH, args, stdin, opts);
}

/**
 * Runs the default-retention script on the Promoted VM (`mc retention set --default` per locked bucket), as
 * MinIO's root. `opts.dependsOn` must hold the delivery of the script and the buckets.
 */
export function retentionCommand(name: string, args: McCommandArgs & { local: S3Keys }, opts: pulumi.CustomResourceOptions = {}): command.remote.Command {
  const stdin = keysOnStdin([args.local.accessKey, args.local.secretKey], ["MinIO's root user", "MinIO's root password"]);
  return mcCommand(name, RETENTION_SCRIPT_PATH, args, stdin, opts);
}
