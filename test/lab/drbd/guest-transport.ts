// The runbook engine's transport over the qemu guests' serial consoles: a runbook runs on the guests exactly as
// it runs over SSH on the storage VMs (the commands as sent, their exit codes and output). The console merges
// the two streams, so standard error goes to a file in the guest and is read back after each command.
import type { CommandResult, EngineHost, HostTransport } from "../../../playbooks/engine/types";
import type { Guest } from "./guest";

export class GuestTransport implements HostTransport {
  constructor(private readonly guests: ReadonlyMap<string, Guest>) {}

  private guest(host: EngineHost): Guest {
    const g = this.guests.get(host.name);
    if (!g) throw new Error(`no guest is called ${host.name}`);
    return g;
  }

  async connect(host: EngineHost): Promise<void> {
    if (!this.guest(host).alive) throw new Error(`the guest ${host.name} is not running`);
    await Promise.resolve();
  }

  async exec(host: EngineHost, command: string, options: { stdin?: string } = {}): Promise<CommandResult> {
    if (options.stdin !== undefined) throw new Error("the guests' consoles carry no standard input");
    const g = this.guest(host);
    // The guest's own /tmp (its initramfs, one user, one command at a time), never the host's.
    const run = await g.run(`{ ${command}; } 2>/tmp/ibac-stderr`, 120_000);
    const stderr = await g.run("cat /tmp/ibac-stderr");
    const text = (t: string): string => t.replace(/\r/g, "");
    return { code: run.status, stdout: text(run.output), stderr: text(stderr.output) };
  }

  async pipe(): Promise<{ from: CommandResult; to: CommandResult }> {
    return Promise.reject(new Error("the guests' consoles stream nothing between guests"));
  }

  async close(): Promise<void> {
    await Promise.resolve();
  }
}
