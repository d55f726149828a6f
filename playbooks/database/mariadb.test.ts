import { describe, expect, it } from "vitest";
import { tableChecksums, userTables } from "./mariadb";
import type { CommandResult, StepContext } from "../engine/types";
import type { InventoryHost } from "../engine/inventory";
import { PRODUCTION_DATABASE_PATHS } from "../../components/database/paths";

const host: InventoryHost = { name: "db-1", address: "10.0.0.1", role: "primary", serverId: 1, ssh: { port: 22, user: "root", sudo: false }, paths: PRODUCTION_DATABASE_PATHS, service: { start: "start", stop: "stop" } };

/** A context whose probes answer with the given batch output and record the commands. */
function answering(stdout: string): { ctx: StepContext; commands: string[] } {
  const commands: string[] = [];
  const probe = (_h: InventoryHost, command: string): Promise<CommandResult> => {
    commands.push(command);
    return Promise.resolve({ code: 0, stdout, stderr: "" });
  };
  return { ctx: { probe } as unknown as StepContext, commands };
}

describe("table names and checksums read from a server", () => {
  it("quotes every table name as one identifier, whatever it contains", async () => {
    const { ctx } = answering("ibac\tdrill\nibac\tx`; DROP TABLE ibac.drill; --\n");
    expect(await userTables(ctx, host)).toEqual(["`ibac`.`drill`", "`ibac`.`x``; DROP TABLE ibac.drill; --`"]);
  });

  it("refuses a name batch output would have escaped (a line break arrives as \\n)", async () => {
    const { ctx } = answering("ibac\tbad\\nname\n");
    await expect(userTables(ctx, host)).rejects.toThrow('db-1: a table name: expected a schema or table name without control characters or backslashes, found "bad\\\\nname"');
  });

  it("pairs each checksum with the table asked for, so differing tables are found", async () => {
    const { ctx, commands } = answering("ibac.drill\t123\nibac.pitr\t456\n");
    const sums = await tableChecksums(ctx, host, ["`ibac`.`drill`", "`ibac`.`pitr`"]);
    expect([...sums]).toEqual([["`ibac`.`drill`", "123"], ["`ibac`.`pitr`", "456"]]);
    expect(commands[0]).toContain("CHECKSUM TABLE `ibac`.`drill`, `ibac`.`pitr` EXTENDED");
  });

  it("a table without a checksum (missing on the server: NULL, or a row short) has none", async () => {
    expect([...(await tableChecksums(answering("ibac.drill\tNULL\nibac.pitr\t456\n").ctx, host, ["`ibac`.`drill`", "`ibac`.`pitr`"]))]).toEqual([["`ibac`.`pitr`", "456"]]);
    expect((await tableChecksums(answering("ibac.drill\t123\n").ctx, host, ["`ibac`.`drill`", "`ibac`.`pitr`"])).size).toBe(0);
  });
});
