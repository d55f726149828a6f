import { Type, type Static } from "@sinclair/typebox";
import type { PlatformModel } from "../../components/model/types";
import type { PlatformSpec } from "../../components/spec/schema";
import { planDatabase } from "../../components/database/topology";
import { PRODUCTION_DATABASE_PATHS } from "../../components/database/paths";
import { replicationSettings } from "../../components/database/settings";
import { expectedFound } from "../../components/input/input-error";
import { loadInput, readInputText } from "../../components/input/load-input";

const Paths = Type.Object({
  serverCnf: Type.String(), roleCnf: Type.String(), datadir: Type.String(), socket: Type.String(), pidFile: Type.String(),
  binlogDir: Type.String(), tlsDir: Type.String(), adminCnf: Type.String(), replicationCnf: Type.String(),
  backupCnf: Type.String(), binlogCnf: Type.String(), backupDir: Type.String(), stateDir: Type.String(), setupSql: Type.String(),
}, { additionalProperties: false });

/** How the runbooks log in to a host: every tier's inventory uses this. */
export const SshLogin = Type.Object({
  port: Type.Integer({ minimum: 1, maximum: 65535 }),
  user: Type.String({ minLength: 1 }),
  /** Prefix privileged commands with sudo (production's admin accounts); the lab logs in as root. */
  sudo: Type.Boolean(),
}, { additionalProperties: false });

export const InventoryHost = Type.Object({
  name: Type.String({ minLength: 1 }),
  address: Type.String({ minLength: 1, description: "where SSH and MariaDB answer" }),
  role: Type.Union([Type.Literal("primary"), Type.Literal("replica")], { description: "the role the stack's spec records" }),
  serverId: Type.Integer({ minimum: 1 }),
  ssh: SshLogin,
  paths: Paths,
  service: Type.Object({
    start: Type.String({ minLength: 1 }),
    stop: Type.String({ minLength: 1 }),
  }, { additionalProperties: false }),
}, { additionalProperties: false });

export const Inventory = Type.Object({
  stack: Type.String(),
  mariadbPort: Type.Integer(),
  maxLagSeconds: Type.Integer({ minimum: 0 }),
  semiSync: Type.Boolean(),
  hosts: Type.Array(InventoryHost, { minItems: 1 }),
}, { additionalProperties: false });

export type InventoryHost = Static<typeof InventoryHost>;
export type Inventory = Static<typeof Inventory>;

/** The database hosts of a stack as the runbooks reach them, from the model (production layout). */
export function inventoryFromModel(stack: string, model: PlatformModel, spec: PlatformSpec, sshUser: string): Inventory {
  const topology = planDatabase(model, spec);
  const settings = replicationSettings(spec);
  return {
    stack,
    mariadbPort: topology.port,
    maxLagSeconds: settings.maxLagSeconds,
    semiSync: settings.semiSync.enabled,
    hosts: [topology.primary, ...topology.replicas].map((s) => ({
      name: s.name,
      address: s.address,
      role: s.role,
      serverId: s.serverId,
      ssh: { port: 22, user: sshUser, sudo: sshUser !== "root" },
      paths: { ...PRODUCTION_DATABASE_PATHS },
      service: { start: "systemctl start mariadb", stop: "systemctl stop mariadb" },
    })),
  };
}

/**
 * An inventory file replaces the model's hosts where the layout differs from production's (the lab runs
 * several servers on one machine). It must describe the same stack. A bad file is an InputError.
 */
export function loadInventoryFile(file: string, stack: string): Inventory {
  return loadInput({
    file,
    text: readInputText(file, file, "inventory file"),
    schema: Inventory,
    syntax: "JSON",
    expected: "a JSON inventory with stack, mariadbPort, maxLagSeconds, semiSync and hosts",
    checks: (inventory, input) => (inventory.stack === stack ? [] : [input.problem(["stack"], expectedFound(JSON.stringify(stack), JSON.stringify(inventory.stack)))]),
  });
}
