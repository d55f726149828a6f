import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describeRun, requireTool, runTool, type ToolResult } from "../support/require-tool";

/** A network namespace of its own for `nft`, so rulesets are checked and loaded without touching the host. */
export interface NftNetns {
  netns: string;
  /** `nft ARGS -f FILE` inside the namespace, `text` written to a file named after `name`. */
  nftFile(args: string[], text: string, name: string): ToolResult;
  /** `nft ARGS` inside the namespace. */
  nft(args: string[]): ToolResult;
  /** Deletes the namespace and the files. */
  remove(): void;
}

/** Creates the namespace (`<prefix><pid>`); fails with the package to install when `ip` or `nft` is missing. */
export function createNftNetns(prefix: string): NftNetns {
  const ip = requireTool("ip", "iproute2");
  const nft = requireTool("nft", "nftables");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ibac-${prefix}-`));
  const netns = `${prefix}${process.pid % 100000}`;
  const add = runTool(ip, ["netns", "add", netns]);
  if (add.status !== 0) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(describeRun(add));
  }
  return {
    netns,
    nftFile(args, text, name) {
      const file = path.join(dir, `${name}.nft`);
      fs.writeFileSync(file, text);
      return runTool(ip, ["netns", "exec", netns, nft, ...args, "-f", file], { timeout: 20_000 });
    },
    nft(args) {
      return runTool(ip, ["netns", "exec", netns, nft, ...args], { timeout: 20_000 });
    },
    remove() {
      runTool(ip, ["netns", "del", netns]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
