import { Type, type Static } from "@sinclair/typebox";
import type { StoragePlan } from "../../components/storage/storage-plan";
import { expectedFound, type InputProblem } from "../../components/input/input-error";
import { loadInput, readInputText } from "../../components/input/load-input";
import { SshLogin } from "../engine/inventory";

// Every value here reaches a shell command (crm_resource --node, drbdadm RES, curl --resolve): the schema
// admits only the characters each one can mean, so none needs more than shellQuote's plain-word case.
const HOST_NAME = "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$";
const IPV4 = "^((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])$";
const ABSOLUTE_PATH = "^(/[A-Za-z0-9_.+-]+)+$";

export const StorageHost = Type.Object({
  name: Type.String({ pattern: HOST_NAME, description: "the VM's host name, as DRBD's `on` section and Pacemaker's node name use it (such as s3-1)" }),
  address: Type.String({ pattern: IPV4, description: "the IPv4 address where SSH answers" }),
  ssh: SshLogin,
}, { additionalProperties: false });

export const StorageInventory = Type.Object({
  stack: Type.String(),
  drbd: Type.Object({
    resource: Type.String({ pattern: "^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$", description: "a DRBD resource name such as ibac-s3 (letters, digits, _ and -)" }),
    device: Type.String({ pattern: "^/dev/drbd[0-9]{1,5}$", description: "a DRBD device such as /dev/drbd0" }),
    /** The raw disk under DRBD: read (never written) for the file system's last write time and a victim's copy. */
    backingDisk: Type.String({ pattern: ABSOLUTE_PATH, description: "an absolute path (letters, digits, _ . + -)" }),
  }, { additionalProperties: false }),
  service: Type.Object({
    address: Type.String({ pattern: IPV4, description: "the service address that moves with the Promoted role (IPv4)" }),
    serverName: Type.String({ pattern: "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$", description: "the DNS name MinIO's certificate carries" }),
    port: Type.Integer({ minimum: 1, maximum: 65535 }),
    mountPoint: Type.String({ pattern: ABSOLUTE_PATH, description: "an absolute path (letters, digits, _ . + -)" }),
    /** The internal CA's certificate on the storage VMs; without it the MinIO health probe is left out. */
    caFile: Type.Optional(Type.String({ pattern: ABSOLUTE_PATH, description: "an absolute path (letters, digits, _ . + -)" })),
  }, { additionalProperties: false }),
  hosts: Type.Array(StorageHost, { minItems: 2, maxItems: 2, description: "the two storage VMs" }),
}, { additionalProperties: false });

export type StorageHost = Static<typeof StorageHost>;
export type StorageInventory = Static<typeof StorageInventory>;

/**
 * The storage VMs as the runbooks reach them, from the storage plan (the contract the renderers also read):
 * the DRBD resource and device, the peers by host name, the service address. SSH goes to the service
 * network address, as for the database hosts. `caFile` is where the internal CA's certificate lies on the
 * VMs, when the stack delivers one there.
 */
export function storageInventoryFromPlan(stack: string, plan: StoragePlan, sshUser: string, caFile?: string): StorageInventory {
  return {
    stack,
    drbd: { resource: plan.drbd.name, device: plan.drbd.device, backingDisk: plan.drbd.backingDisk },
    service: {
      address: plan.service.address,
      serverName: plan.service.serverName,
      port: plan.service.port,
      mountPoint: plan.service.mountPoint,
      ...(caFile ? { caFile } : {}),
    },
    hosts: plan.drbd.peers.map((p) => ({ name: p.vm, address: p.serviceAddress, ssh: { port: 22, user: sshUser, sudo: sshUser !== "root" } })),
  };
}

/** The checks a schema cannot express: the file describes this stack, and two distinct VMs reached at two endpoints. */
function meaningProblems(inventory: StorageInventory, input: { problem(path: (string | number)[], made: Pick<InputProblem, "detail" | "expected" | "found">): InputProblem }, stack: string): InputProblem[] {
  const problems: InputProblem[] = [];
  if (inventory.stack !== stack) problems.push(input.problem(["stack"], expectedFound(JSON.stringify(stack), JSON.stringify(inventory.stack))));
  const [a, b] = inventory.hosts;
  if (a.name === b.name) problems.push(input.problem(["hosts", 1, "name"], expectedFound(`a host name other than hosts[0]'s`, JSON.stringify(b.name))));
  // One SSH endpoint for both would run every "other side" probe on the same VM.
  if (a.address === b.address && a.ssh.port === b.ssh.port) problems.push(input.problem(["hosts", 1, "address"], expectedFound(`an SSH endpoint other than hosts[0]'s (address or ssh.port)`, `${b.address} port ${b.ssh.port} again`)));
  return problems;
}

/** A storage inventory file (the lab, or a site with another layout); a bad file is an InputError. */
export function loadStorageInventoryFile(file: string, stack: string): StorageInventory {
  return loadInput({
    file,
    text: readInputText(file, file, "inventory file"),
    schema: StorageInventory,
    syntax: "JSON",
    expected: "a JSON storage inventory with stack, drbd, service and hosts",
    checks: (inventory, input) => meaningProblems(inventory, input, stack),
  });
}
