// An sshd configuration built around the rendered drop-in, in a private directory: Debian's pristine
// sshd_config with its Include pointed at the directory, and the drop-in's absolute paths (host keys,
// banner) mapped to files in the directory. Those paths are the only edit made to the rendered text.
import * as fs from "node:fs";
import * as path from "node:path";
import { describeRun, requireTool, runTool, type ToolResult } from "./require-tool";

/** Root's sshd insists on /run/sshd even for -t; an unprivileged sshd skips that check and leaves the host alone. */
export const SSHD_AS_ROOT = process.getuid?.() === 0;
const NOBODY = 65534;

export interface SshdUnderTest {
  dir: string;
  /** The main configuration file (`sshd -f`). */
  config: string;
  /** The drop-in as sshd reads it here (the rendered text with its paths mapped). */
  dropIn: string;
}

/**
 * Writes the configuration. `files` maps each absolute path the drop-in names (HostKey, Banner) to the
 * content of the local copy; a key file is written 0600 and, under root, owned by the user sshd runs as.
 * `mainFileTail` is appended to the main file (after the Include, so the drop-in still wins).
 */
export function sshdUnderTest(parent: string, renderedDropIn: string, dropInName: string, files: Record<string, string>, mainFileTail = ""): SshdUnderTest {
  const sshd = requireTool("sshd", "openssh-server");
  const stock = "/usr/share/openssh/sshd_config";
  if (!fs.existsSync(stock)) throw new Error(`${stock} is missing although ${sshd} exists: apt-get install --reinstall openssh-server`);
  const dir = fs.mkdtempSync(path.join(parent, "sshd-"));
  fs.mkdirSync(path.join(dir, "sshd_config.d"));
  let dropIn = renderedDropIn;
  for (const [target, content] of Object.entries(files)) {
    if (!dropIn.includes(` ${target}\n`)) throw new Error(`the rendered drop-in names no ${target}`);
    const local = path.join(dir, path.basename(target));
    fs.writeFileSync(local, content, { mode: /_key$/.test(target) ? 0o600 : 0o644 });
    if (SSHD_AS_ROOT) fs.chownSync(local, NOBODY, NOBODY);
    dropIn = dropIn.split(` ${target}\n`).join(` ${local}\n`);
  }
  fs.writeFileSync(path.join(dir, "sshd_config.d", dropInName), dropIn, { mode: 0o644 });
  const stockText = fs.readFileSync(stock, "utf8");
  const include = "Include /etc/ssh/sshd_config.d/*.conf";
  if (!stockText.includes(include)) throw new Error(`${stock} no longer has "${include}"`);
  const config = path.join(dir, "sshd_config");
  fs.writeFileSync(config, stockText.replace(include, `Include ${dir}/sshd_config.d/*.conf`) + mainFileTail, { mode: 0o644 });
  if (SSHD_AS_ROOT) for (let d = dir; d !== path.dirname(parent); d = path.dirname(d)) fs.chmodSync(d, 0o755);
  if (SSHD_AS_ROOT) fs.chmodSync(path.join(dir, "sshd_config.d"), 0o755);
  return { dir, config, dropIn };
}

/** Runs sshd (as nobody under root, so that it touches nothing of the host's). */
export function runSshd(args: string[], options: { timeout?: number } = {}): ToolResult {
  const sshd = requireTool("sshd", "openssh-server");
  return runTool(sshd, args, { ...options, ...(SSHD_AS_ROOT ? { uid: NOBODY, gid: NOBODY } : {}) });
}

/** A key pair made by ssh-keygen in `dir`: the private key's text and the public key line. */
export function keygen(dir: string, name: string, type: "ed25519" | "rsa"): { privateKey: string; publicKey: string; file: string } {
  const tool = requireTool("ssh-keygen", "openssh-client");
  const file = path.join(dir, name);
  const made = runTool(tool, ["-q", "-t", type, ...(type === "rsa" ? ["-b", "4096"] : []), "-N", "", "-C", "", "-f", file]);
  if (made.status !== 0) throw new Error(describeRun(made));
  return { privateKey: fs.readFileSync(file, "utf8"), publicKey: fs.readFileSync(`${file}.pub`, "utf8").trim(), file };
}
