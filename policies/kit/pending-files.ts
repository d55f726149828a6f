import type { PolicyResource } from "@pulumi/policy";
import type { PolicyModel } from "../../components/model/policy-view";
import { resourceFiles, type DeliveredFile } from "./rendered-files";

/** The key of a file in a VM, for `pendingFiles`. */
export function fileKey(vm: string, path: string): string {
  return `${vm}\0${path}`;
}

/**
 * The files a resource delivers whose text is not known yet: under `pulumi preview` of a new stack, a file
 * rendered from a secret or a certificate is an unknown output until `pulumi up`. `deliveredFiles` leaves them
 * out; a policy must not report such a file as missing (the offline plan knows every text, so this is empty
 * there). Keys from `fileKey`.
 */
export async function pendingFiles(resources: readonly PolicyResource[], model: PolicyModel): Promise<Set<string>> {
  return new Set((await resourceFiles(resources, model)).filter((f) => f.text === undefined).map((f) => fileKey(f.vm, f.path)));
}

/** Whether the stack delivers `path` to `vm`: with its text known, or pending until `pulumi up` makes it. */
export function isDelivered(files: readonly DeliveredFile[], pending: ReadonlySet<string>, vm: string, path: string): boolean {
  return pending.has(fileKey(vm, path)) || files.some((f) => f.vm === vm && f.path === path);
}
