import * as crypto from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import type { RenderedFile } from "./rendered-file";

/** Where files wait in the VM before `install` moves them into place: the deploy user can write here. */
export const INCOMING_DIR = "/var/lib/ibac-deploy/incoming";

/**
 * The staging path of a file: one flat directory (CopyToRemote makes no parent directories), the target
 * path percent-encoded into the file name so that it maps back without ambiguity.
 */
export function stagingPath(targetPath: string): string {
  return `${INCOMING_DIR}/${encodeURIComponent(targetPath)}`;
}

/** The target path a staging path stands for, or undefined for any other path. */
export function targetPathOf(staging: string): string | undefined {
  return staging.startsWith(`${INCOMING_DIR}/`) ? decodeURIComponent(staging.slice(INCOMING_DIR.length + 1)) : undefined;
}

/** The shell command that moves a staged file into place and runs its follow-up. */
export function installCommand(file: Pick<RenderedFile, "path" | "mode" | "owner" | "afterChange" | "onlyIfAbsent">): string {
  const [user, group] = file.owner.split(":");
  const staged = `'${stagingPath(file.path)}'`;
  // The staged copy goes once installed: it may hold secrets and must not linger in a second place.
  const installNow = `sudo install -D -m ${file.mode} -o ${user} -g ${group ?? user} ${staged} '${file.path}' && rm -f ${staged}`;
  const install = file.onlyIfAbsent ? `{ sudo test -e '${file.path}' && rm -f ${staged} || { ${installNow}; }; }` : installNow;
  return file.afterChange ? `${install} && sudo sh -c '${file.afterChange.replace(/'/g, "'\\''")}'` : install;
}

export interface ConfigDeliveryArgs {
  /** SSH connection to the VM as the deploy user. */
  connection: command.types.input.remote.ConnectionArgs;
  files: RenderedFile[];
  /** The VM resource: nothing is copied before it exists. */
  dependsOn: pulumi.Input<pulumi.Resource>[];
}

/**
 * The seam through which every tier's rendered configuration reaches its VM: copy over SSH, then install
 * and reload, re-run only when the content hash changes. A configuration change therefore touches the
 * file and its service, never the VM (cloud-init stays bootstrap-only and never changes).
 */
export class ConfigDelivery extends pulumi.ComponentResource {
  constructor(name: string, args: ConfigDeliveryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ibac:vm:ConfigDelivery", name, {}, opts);
    const mkdir = new command.remote.Command(`${name}-incoming-dir`, {
      connection: args.connection,
      create: `sudo install -d -m 0700 -o "$(id -un)" ${INCOMING_DIR}`,
    }, { parent: this, dependsOn: args.dependsOn });
    // Files install one after another in the order given, so a tier can end its list with the script that
    // uses the others (e.g. the database bootstrap) and rely on everything before it being in place.
    let previous: pulumi.Resource | undefined;
    for (const file of args.files) {
      const slug = file.path.replace(/^\//, "").replace(/[^A-Za-z0-9]+/g, "-");
      const hash = pulumi.output(file.content).apply((c) => crypto.createHash("sha256").update(c).update(file.mode + file.owner).digest("hex"));
      const copy = new command.remote.CopyToRemote(`${name}-copy-${slug}`, {
        connection: args.connection,
        source: pulumi.output(file.content).apply((c) => new pulumi.asset.StringAsset(c)),
        remotePath: stagingPath(file.path),
        triggers: [hash],
      }, { parent: this, dependsOn: [mkdir] });
      previous = new command.remote.Command(`${name}-install-${slug}`, {
        connection: args.connection,
        create: installCommand(file),
        triggers: [hash],
      }, { parent: this, dependsOn: previous ? [copy, previous] : [copy] });
    }
    this.registerOutputs({});
  }
}
