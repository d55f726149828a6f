import * as pulumi from "@pulumi/pulumi";
import * as proxmox from "@muhlba91/pulumi-proxmoxve";
import type { PlatformSpec } from "../spec/schema";

export interface DebianImageArgs {
  /** The image URL, file name and checksum come from `debian.image`; the nodes from `proxmox.nodes`. */
  spec: PlatformSpec;
  /** Storage id of the directory storage with the `import` content type (made by ProxmoxCluster). */
  storageId: pulumi.Input<string>;
}

/**
 * The Debian cloud image, downloaded by every node into its own copy of the file storage and checked
 * against the spec's digest, so a VM can be created (or recovered by HA) on any node.
 */
export class DebianImage extends pulumi.ComponentResource {
  /** Volume id of the image per node name, e.g. `ibac-files:import/debian-12-....qcow2`. */
  readonly fileIds: Record<string, pulumi.Output<string>>;

  constructor(name: string, args: DebianImageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ibac:vm:DebianImage", name, {}, opts);
    const image = args.spec.debian.image;
    this.fileIds = {};
    for (const node of args.spec.proxmox.nodes) {
      const file = new proxmox.download.File(`${name}-${node.name}`, {
        nodeName: node.name,
        datastoreId: args.storageId,
        contentType: "import",
        url: image.url,
        fileName: image.fileName,
        checksum: image.checksum,
        checksumAlgorithm: image.checksumAlgorithm,
        overwrite: false,
        uploadTimeout: 1800,
        verify: true,
      }, { parent: this });
      this.fileIds[node.name] = file.id;
    }
    this.registerOutputs({ fileIds: this.fileIds });
  }
}
