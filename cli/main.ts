import * as fs from "node:fs";
import * as path from "node:path";
import { Command, CommanderError } from "commander";
import { SpecError } from "../components/spec/errors";
import { listStacks } from "../components/spec/load";
import { planCommand } from "./plan/command";

/** The checkout this CLI belongs to (the folder with Pulumi.yaml), whether run from source or from dist/. */
function findCheckout(start: string): string {
  for (let dir = start; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
  }
  return path.resolve(start, "..");
}

/** The project directory: where stacks/ is. IBAC_PROJECT_DIR points at another checkout's stacks. */
const projectDir = path.resolve(process.env.IBAC_PROJECT_DIR ?? findCheckout(__dirname));

/** Exit codes: 0 fine, 1 a check failed or the toolkit broke, 2 the user's input is wrong. */
export const EXIT_USAGE = 2;

function fail(err: unknown): never {
  if (err instanceof SpecError) {
    console.error(err.describe());
    process.exit(EXIT_USAGE);
  }
  if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE);
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
}

function unknownStack(stack: string): SpecError | undefined {
  const stacks = listStacks(projectDir);
  if (stacks.includes(stack)) return undefined;
  return new SpecError([{ file: path.join("stacks", `Pulumi.${stack}.yaml`), path: "", detail: `no such stack; expected one of ${stacks.join(", ")}` }]);
}

const program = new Command()
  .name("ibac")
  .description("Build and operate the iBac backend on Proxmox VE")
  .exitOverride()
  .showHelpAfterError();

program
  .command("plan")
  .description("validate a stack and write its offline plan (no Proxmox, no Pulumi CLI needed)")
  .requiredOption("-s, --stack <name>", "stack name: stacks/Pulumi.<name>.yaml")
  .option("-o, --out <dir>", "output directory (default: out/<stack>)")
  .action(async (options: { stack: string; out?: string }) => {
    const missing = unknownStack(options.stack);
    if (missing) throw missing;
    await planCommand({ stack: options.stack, projectDir, ...(options.out ? { out: options.out } : {}) });
  });

process.on("unhandledRejection", fail);
program.parseAsync(process.argv).catch(fail);
