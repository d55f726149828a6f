import * as fs from "node:fs";
import { Type, type Static } from "@sinclair/typebox";
import Ajv from "ajv";
import type { PlatformModel } from "../../components/model/types";
import type { PlatformSpec } from "../../components/spec/schema";
import { planDatabase } from "../../components/database/topology";
import { PRODUCTION_DATABASE_PATHS } from "../../components/database/paths";
import { replicationSettings } from "../../components/database/settings";
import { RunbookInputError } from "./errors";

const Paths = Type.Object({
  serverCnf: Type.String(), roleCnf: Type.String(), datadir: Type.String(), socket: Type.String(), pidFile: Type.String(),
  binlogDir: Type.String(), tlsDir: Type.String(), adminCnf: Type.String(), replicationCnf: Type.String(),
  backupCnf: Type.String(), binlogCnf: Type.String(), backupDir: Type.String(), stateDir: Type.String(), setupSql: Type.String(),
}, { additionalProperties: false });

export const InventoryHost = Type.Object({
  name: Type.String({ minLength: 1 }),
  address: Type.String({ minLength: 1, description: "where SSH and MariaDB answer" }),
  role: Type.Union([Type.Literal("primary"), Type.Literal("replica")], { description: "the role the stack's spec records" }),
  serverId: Type.Integer({ minimum: 1 }),
  ssh: Type.Object({
    port: Type.Integer({ minimum: 1, maximum: 65535 }),
    user: Type.String({ minLength: 1 }),
    /** Prefix privileged commands with sudo (production's admin accounts); the lab logs in as root. */
    sudo: Type.Boolean(),
  }, { additionalProperties: false }),
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

const validateInventory = new Ajv({ allErrors: true }).compile<Inventory>(Inventory);

/**
 * An inventory file replaces the model's hosts where the layout differs from production's (the lab runs
 * several servers on one machine). It must describe the same stack.
 */
export function loadInventoryFile(file: string, stack: string): Inventory {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new RunbookInputError(`${file}: expected a readable JSON inventory, found: ${(e as Error).message}`);
  }
  if (!validateInventory(raw)) {
    const problems = (validateInventory.errors ?? []).map((err) => `${file}: ${err.instancePath.replace(/^\//, "").replace(/\//g, ".") || "(top)"}: ${err.message ?? "invalid"}`);
    throw new RunbookInputError(problems.join("\n"));
  }
  if (raw.stack !== stack) throw new RunbookInputError(`${file}: stack: expected "${stack}", found "${raw.stack}"`);
  return raw;
}
