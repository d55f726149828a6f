import { RESOURCES, isResourceOf } from "../resource-types";
import { DebianVm, USER_DATA_PATH_IN_VM } from "./component";
import { targetPathOf } from "./deliver";

// The one answer to "which file does this resource put in which VM": the offline plan's artifacts and every
// policy that reads a rendered file ask here, so a new way of delivering a file is taught to both at once.

/** A resource as seen while walking up to its VM: a plan's record, or a policy's view of a resource. */
export interface ResourceInTree {
  readonly type: string;
  readonly name: string;
}

/** The name of the VM a resource belongs to: its nearest DebianVm ancestor (itself included). */
export function owningVmName<R extends ResourceInTree>(resource: R, parentOf: (r: R) => R | undefined): string | undefined {
  for (let r: R | undefined = resource; r; r = parentOf(r)) {
    if (isResourceOf(r, DebianVm)) return r.name;
  }
  return undefined;
}

/** A file one resource installs in its VM. */
export interface DeliveredFile {
  /** Absolute path in the VM. */
  path: string;
  /**
   * The text, or undefined while it is unknown: under `pulumi preview` of a new stack a file rendered from a
   * secret or a certificate is an unknown output until `pulumi up` (the offline plan knows every text).
   */
  text: string | undefined;
}

/**
 * How a caller's inputs wrap secrets: the offline plan's mock engine sees the SDK's secret wrappers,
 * `@pulumi/policy` hands policies plain values.
 */
export type UnwrapSecret = (value: unknown) => unknown;

interface TextAsset {
  text: string | Promise<string>;
}

/** A string asset: the SDK's `StringAsset` (text a promise), or the policy engine's deserialized one. */
function isTextAsset(value: unknown): value is TextAsset {
  return typeof value === "object" && value !== null && "text" in value;
}

/**
 * The file a resource delivers, from its type and inputs: a CopyToRemote's staged file (at the path it is
 * installed to) or a VM's cloud-init snippet (at the path cloud-init keeps it in the VM). Undefined for a
 * resource that delivers no file.
 */
export async function deliveredFileOf(
  resource: { readonly type: string; readonly inputs: Readonly<Record<string, unknown>> },
  unwrap: UnwrapSecret = (value) => value,
): Promise<DeliveredFile | undefined> {
  const { inputs } = resource;
  if (isResourceOf(resource, RESOURCES.CopyToRemote)) {
    const path = targetPathOf(String(unwrap(inputs.remotePath)));
    if (!path) return undefined;
    const source = unwrap(inputs.source);
    return { path, text: isTextAsset(source) ? await source.text : undefined };
  }
  if (isResourceOf(resource, RESOURCES.FileLegacy) && inputs.contentType === "snippets") {
    const data = unwrap((unwrap(inputs.sourceRaw) as { data?: unknown } | undefined)?.data);
    return { path: USER_DATA_PATH_IN_VM, text: typeof data === "string" ? data : undefined };
  }
  return undefined;
}
