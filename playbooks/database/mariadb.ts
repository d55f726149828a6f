import type { InventoryHost } from "../engine/inventory";
import type { StepContext } from "../engine/types";
import { shellQuote } from "../engine/shell-quote";
import { sqlIdentifier } from "../engine/host-values";
import { renderRoleCnf, type ServerRole } from "../../components/database/render-my-cnf";
import { changeMasterSql, HEARTBEAT_TABLE } from "../../components/database/render-setup-sql";
import { tlsFiles } from "../../components/database/paths";

/** `mariadb` as the local administrator (root over the socket) on a host, batch mode, no headers. */
export function sqlCommand(host: InventoryHost, sql: string): string {
  return `mariadb --defaults-file=${shellQuote(host.paths.adminCnf)} -N -B -e ${shellQuote(sql)}`;
}

/** Runs read-only SQL and returns the rows as arrays of columns. */
export async function query(ctx: StepContext, host: InventoryHost, sql: string): Promise<string[][]> {
  const result = await ctx.probe(host, sqlCommand(host, sql));
  return result.stdout.split("\n").filter((line) => line.length > 0).map((line) => line.split("\t"));
}

export async function queryValue(ctx: StepContext, host: InventoryHost, sql: string): Promise<string> {
  const rows = await query(ctx, host, sql);
  return rows[0]?.[0] ?? "";
}

/** SQL that changes the server: a `run`, so a dry run prints it. */
export async function execute(ctx: StepContext, host: InventoryHost, sql: string): Promise<void> {
  await ctx.run(host, sqlCommand(host, sql));
}

/** Whether the server answers on its socket (the host itself may be fine while mariadbd is down). */
export async function serverAnswers(ctx: StepContext, host: InventoryHost): Promise<boolean> {
  const result = await ctx.probe(host, `mariadb-admin --defaults-file=${shellQuote(host.paths.adminCnf)} --connect-timeout=2 ping`, { allowFailure: true });
  return result.code === 0;
}

/** Vertical (`-E`) client output as field → value. */
export function parseVertical(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^\s*([A-Za-z_@]+):\s?(.*)$/.exec(line);
    if (m) fields[m[1]] = m[2];
  }
  return fields;
}

/** `SHOW SLAVE STATUS` as field → value, or undefined when the server replicates from nobody. */
export async function slaveStatus(ctx: StepContext, host: InventoryHost): Promise<Record<string, string> | undefined> {
  const result = await ctx.probe(host, `mariadb --defaults-file=${shellQuote(host.paths.adminCnf)} -E -e 'SHOW SLAVE STATUS'`);
  const fields = parseVertical(result.stdout);
  return Object.keys(fields).length ? fields : undefined;
}

/**
 * One round trip for what a failover needs to know about a server: whether it answers, and its
 * replication status (undefined when it replicates from nobody).
 */
export async function serverState(ctx: StepContext, host: InventoryHost): Promise<{ answers: boolean; slave?: Record<string, string> }> {
  const admin = shellQuote(host.paths.adminCnf);
  const result = await ctx.probe(host, `mariadb --defaults-file=${admin} --connect-timeout=2 -E -e 'SHOW SLAVE STATUS'`, { allowFailure: true });
  if (result.code !== 0) return { answers: false };
  const fields = parseVertical(result.stdout);
  return Object.keys(fields).length ? { answers: true, slave: fields } : { answers: true };
}

/** The live role, read from the server rather than the inventory (which lags after a failover). */
export async function isReadOnly(ctx: StepContext, host: InventoryHost): Promise<boolean> {
  return (await queryValue(ctx, host, "SELECT @@read_only")) === "1";
}

/** Whether something accepts TCP connections on address:port, tested from `from` (no client, no login). */
export async function portAnswers(ctx: StepContext, from: InventoryHost, address: string, port: number): Promise<boolean> {
  const result = await ctx.probe(from, `timeout 3 bash -c ${shellQuote(`exec 3<>/dev/tcp/${address}/${port}`)}`, { allowFailure: true });
  return result.code === 0;
}

/** Rewrites the role file, atomically, so that a restart keeps the role a runbook gave the server. */
export async function writeRoleFile(
  ctx: StepContext,
  host: InventoryHost,
  role: ServerRole,
  options: { semiSync: boolean; primaryWaitsForAck?: boolean; /** A command to run right after, in the same round trip. */ then?: string },
): Promise<void> {
  const content = renderRoleCnf(role, { semiSyncEnabled: options.semiSync, ...(options.primaryWaitsForAck !== undefined ? { primaryWaitsForAck: options.primaryWaitsForAck } : {}) });
  const file = shellQuote(host.paths.roleCnf);
  const write = `cat > ${file}.new && chmod 0644 ${file}.new && mv ${file}.new ${file}`;
  await ctx.run(host, options.then ? `${write} && { ${options.then}; }` : write, {
    stdin: content,
    auditAs: `write ${host.paths.roleCnf} (role: ${role})${options.then ? ` && ${options.then}` : ""}`,
  });
}

/** The role a host's role file records (`# role: ...`), or undefined when it has none. */
export async function roleInFile(ctx: StepContext, host: InventoryHost): Promise<ServerRole | undefined> {
  const result = await ctx.probe(host, `sed -n 's/^# role: //p' ${shellQuote(host.paths.roleCnf)}`, { allowFailure: true });
  const role = result.stdout.trim().split("\n")[0];
  return role === "primary" || role === "replica" || role === "fenced" ? role : undefined;
}

/**
 * Points a server at a primary. The replication password is read from the credentials file on the host
 * and substituted by bash, so it appears in no command line, audit entry or process list.
 */
export async function pointAtPrimary(ctx: StepContext, host: InventoryHost, primary: InventoryHost, before: string[] = []): Promise<void> {
  const placeholder = "@@REPLICATION_PASSWORD@@";
  const sql = [...before, "STOP SLAVE;", changeMasterSql(primary, ctx.inventory.mariadbPort, placeholder, tlsFiles(host.paths).ca, tlsFiles(host.paths).crl), "START SLAVE;"].join("\n");
  const script = [
    `pw=$(sed -n 's/^password *= *//p' ${shellQuote(host.paths.replicationCnf)})`,
    `[ -n "$pw" ] || { echo "no password in ${host.paths.replicationCnf}" >&2; exit 1; }`,
    `sql=$(cat)`,
    `printf '%s\\n' "\${sql//${placeholder}/$pw}" | mariadb --defaults-file=${shellQuote(host.paths.adminCnf)}`,
  ].join("; ");
  await ctx.run(host, `bash -c ${shellQuote(script)}`, { stdin: sql, auditAs: `CHANGE MASTER TO ${primary.name} (${primary.address}) with GTID slave_pos and verified TLS; START SLAVE` });
}

/** Waits (polling) until a condition holds or the time is up; returns whether it held. */
export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, intervalMs = 200): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Per (domain, server_id), the highest sequence number in a `gtid_binlog_state`-style list. */
export function parseGtidState(list: string): Map<string, number> {
  const state = new Map<string, number>();
  for (const gtid of list.split(",").map((g) => g.trim()).filter(Boolean)) {
    const m = /^(\d+)-(\d+)-(\d+)$/.exec(gtid);
    if (!m) throw new Error(`not a GTID: "${gtid}"`);
    const key = `${m[1]}-${m[2]}`;
    state.set(key, Math.max(state.get(key) ?? 0, Number(m[3])));
  }
  return state;
}

/**
 * Transactions the returning server has that the primary never got: for each (domain, server) the
 * returning server logged, the part of its sequence beyond what the primary has from that server.
 */
export function errantTransactions(returning: string, primary: string): { domainServer: string; afterSeq: number; lastSeq: number }[] {
  const mine = parseGtidState(returning);
  const theirs = parseGtidState(primary);
  const errant: { domainServer: string; afterSeq: number; lastSeq: number }[] = [];
  for (const [key, seq] of mine) {
    const known = theirs.get(key) ?? 0;
    if (seq > known) errant.push({ domainServer: key, afterSeq: known, lastSeq: seq });
  }
  return errant;
}

/**
 * Every base table outside the system schemas, as a quoted `schema`.`table` (names checked, backticks
 * doubled: a table name is a value from the host); not the heartbeat, which the primary rewrites every
 * second and so never has one checksum on both servers at once.
 */
export async function userTables(ctx: StepContext, host: InventoryHost): Promise<string[]> {
  const rows = await query(ctx, host, "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys') AND NOT (table_schema = 'ibac_ops' AND table_name = 'heartbeat') ORDER BY 1, 2");
  return rows.map(([schema = "", table = ""]) => `${sqlIdentifier(schema, `${host.name}: a schema name`)}.${sqlIdentifier(table, `${host.name}: a table name`)}`);
}

/**
 * CHECKSUM TABLE of every given (quoted) table, as table → checksum. The server answers one row per table,
 * in the order asked, named without quotes; a missing or extra row leaves the table without a checksum.
 */
export async function tableChecksums(ctx: StepContext, host: InventoryHost, tables: string[]): Promise<Map<string, string>> {
  const sums = new Map<string, string>();
  if (tables.length === 0) return sums;
  const rows = await query(ctx, host, `CHECKSUM TABLE ${tables.join(", ")} EXTENDED`);
  if (rows.length !== tables.length) return sums;
  tables.forEach((t, i) => {
    const sum = rows[i]?.[1];
    if (sum !== undefined && sum !== "NULL") sums.set(t, sum);
  });
  return sums;
}

/** When the replica last heard from a server: the heartbeat row that server wrote, or undefined. */
export async function lastHeartbeatFrom(ctx: StepContext, on: InventoryHost, serverId: number): Promise<Date | undefined> {
  const result = await ctx.probe(on, sqlCommand(on, `SELECT UNIX_TIMESTAMP(at) FROM ${HEARTBEAT_TABLE} WHERE id = 1 AND server_id = ${serverId}`), { allowFailure: true });
  const seconds = Number(result.stdout.trim());
  return result.code === 0 && result.stdout.trim() && Number.isFinite(seconds) ? new Date(seconds * 1000) : undefined;
}

/** How many replicas acknowledge a primary's commits right now (Rpl_semi_sync_master_clients). */
export async function semiSyncClients(ctx: StepContext, primary: InventoryHost): Promise<number> {
  return Number(await queryValue(ctx, primary, "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'RPL_SEMI_SYNC_MASTER_CLIENTS'"));
}

/** Waits up to 15 s until at least one replica acknowledges the primary's commits; returns whether one does. */
export async function semiSyncReplicaAcknowledges(ctx: StepContext, primary: InventoryHost): Promise<boolean> {
  return waitFor(async () => (await semiSyncClients(ctx, primary)) >= 1, 15000);
}
