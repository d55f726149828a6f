import * as fs from "node:fs";
import * as path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { runRunbook, type RunRunbookArgs } from "../engine/run-runbook";
import { AuditLog } from "../engine/audit-log";
import { RunbookInputError } from "../engine/errors";
import type { CommandResult, EngineHost, HostTransport } from "../engine/types";
import { RUNBOOK_EXIT } from "../../cli/runbook/command";
import { buildModel } from "../../components/model/build";
import { stackSpec } from "../../test/fixtures/specs";
import { loadBalancerInventoryFromModel, type LoadBalancerInventory } from "./inventory";
import { lbStatus, lbStatusCommands } from "./lb-status";
import { parseShowStat } from "./haproxy-stat";
import { testTempDir } from "../../test/support/test-temp-dir";

// Engine-level: the real engine and runbook, a scripted transport answering with what the real programs print
// (show-stat.sample.csv is HAProxy 2.6's `show stat` with api-1 UP and api-2 DOWN, captured from a real HAProxy).
// Unproven here: the run over SSH against the lab's load balancers (the load-balancer lab's).
const SAMPLE = fs.readFileSync(path.join(__dirname, "show-stat.sample.csv"), "utf8");
const ALL_UP = SAMPLE.replace(",DOWN,", ",UP,").replace(",L4CON,", ",L7OK,");

const { model } = buildModel(stackSpec("lab"));
if (!model) throw new Error("lab: no model");
const INVENTORY = loadBalancerInventoryFromModel("lab", model, "root");
const COMMANDS = lbStatusCommands(INVENTORY);

interface LbState { holds: boolean; haproxy: string; keepalived: string; stat: string; unreachable?: boolean }

class LbPair implements HostTransport {
  readonly ran: { host: string; command: string }[] = [];
  constructor(readonly vms: Record<string, LbState>) {}
  async connect(host: EngineHost): Promise<void> {
    if (this.vms[host.name]?.unreachable) throw new RunbookInputError(`${host.name} (root@${host.address}:22): unreachable (ECONNREFUSED)`);
    await Promise.resolve();
  }
  async exec(host: EngineHost, command: string): Promise<CommandResult> {
    await this.connect(host);
    this.ran.push({ host: host.name, command });
    const vm = this.vms[host.name];
    const ok = (stdout: string): CommandResult => ({ code: 0, stdout, stderr: "" });
    if (command === COMMANDS.address) return ok(`2: eth0    inet ${host.address}/24 brd 10.60.2.255 scope global eth0\\       valid_lft forever preferred_lft forever\n${vm.holds ? `2: eth0    inet ${INVENTORY.virtualAddress}/24 scope global secondary eth0\\       valid_lft forever preferred_lft forever\n` : ""}`);
    if (command === COMMANDS.services) return { code: vm.haproxy === "active" && vm.keepalived === "active" ? 0 : 3, stdout: `${vm.haproxy}\n${vm.keepalived}\n`, stderr: "" };
    if (command === COMMANDS.stat) return ok(vm.stat);
    throw new Error(`unexpected command on ${host.name}: ${command}`);
  }
  async pipe(): Promise<{ from: CommandResult; to: CommandResult }> {
    return Promise.reject(new Error("lb-status streams nothing"));
  }
  async close(): Promise<void> {
    await Promise.resolve();
  }
}

function healthy(): Record<string, LbState> {
  return {
    "lb-1": { holds: true, haproxy: "active", keepalived: "active", stat: ALL_UP },
    "lb-2": { holds: false, haproxy: "active", keepalived: "active", stat: ALL_UP },
  };
}

describe("lb-status (engine, scripted load balancers)", () => {
  let lines: string[];
  let args: (pair: LbPair, inventory?: LoadBalancerInventory) => RunRunbookArgs<LoadBalancerInventory>;

  beforeEach(() => {
    const dir = testTempDir("ibac-lb-status-");
    lines = [];
    args = (pair, inventory = INVENTORY) => ({
      runbook: lbStatus, inventory, transport: pair, options: {}, dryRun: false, yes: false,
      audit: new AuditLog(path.join(dir, "audit.jsonl")), operator: "tester", commandLine: "ibac runbook lb-status --stack lab",
      say: (line) => lines.push(line),
    });
  });

  it("healthy: one holder, both daemons active, every API instance UP; only probes, exit 0", async () => {
    const pair = new LbPair(healthy());
    const outcome = await runRunbook(args(pair));
    expect(outcome.status).toBe("completed");
    expect(RUNBOOK_EXIT[outcome.status]).toBe(0);
    expect(outcome.commands.every((c) => c.kind === "probe")).toBe(true);
    expect(lines).toEqual(expect.arrayContaining([
      `    API address ${INVENTORY.virtualAddress}: lb-1`,
      "      lb-1: MASTER (holds the address); haproxy active, keepalived active; API instances: api-1 UP (L7OK), api-2 UP (L7OK)",
      "      lb-2: backup; haproxy active, keepalived active; API instances: api-1 UP (L7OK), api-2 UP (L7OK)",
      "verdict: healthy",
    ]));
    expect(pair.ran).toContainEqual({ host: "lb-1", command: `echo 'show stat' | socat stdio UNIX-CONNECT:/run/haproxy/stats.sock` });
  });

  it("a dry run runs the same probes and reaches the same verdict", async () => {
    const outcome = await runRunbook({ ...args(new LbPair(healthy())), dryRun: true });
    expect(outcome.status).toBe("dry-run");
    expect(lines.some((l) => l.includes("would run"))).toBe(false);
    expect(lines).toContain("verdict: healthy");
  });

  it("an API instance down (the real sample): degraded, exit 5, named with its last check", async () => {
    const vms = healthy();
    vms["lb-1"].stat = SAMPLE;
    const outcome = await runRunbook(args(new LbPair(vms)));
    expect(outcome.status).toBe("degraded");
    expect(RUNBOOK_EXIT[outcome.status]).toBe(5);
    expect(lines).toContain("    DEGRADED: lb-1: API instance api-2 is DOWN (last check L4CON)");
  });

  it.each<[string, (vms: Record<string, LbState>) => void, string]>([
    ["nobody holds the address", (vms) => { vms["lb-1"].holds = false; }, `    DOWN: no load balancer holds the API's address ${INVENTORY.virtualAddress}`],
    ["both hold it", (vms) => { vms["lb-2"].holds = true; }, `    DOWN: lb-1 and lb-2 all hold ${INVENTORY.virtualAddress}: the VRRP peers do not hear each other`],
    ["no API instance UP on the holder", (vms) => { vms["lb-1"].stat = SAMPLE.replace(",UP,1,", ",DOWN,1,"); }, "    DOWN: lb-1: no API instance is UP in HAProxy"],
  ])("%s: down, exit 6", async (_what, change, line) => {
    const vms = healthy();
    change(vms);
    const outcome = await runRunbook(args(new LbPair(vms)));
    expect(outcome.status).toBe("down");
    expect(RUNBOOK_EXIT[outcome.status]).toBe(6);
    expect(lines).toContain(line);
  });

  it("the backup unreachable or its keepalived stopped: degraded", async () => {
    const vms = healthy();
    vms["lb-2"].unreachable = true;
    expect((await runRunbook(args(new LbPair(vms)))).status).toBe("degraded");
    expect(lines).toContain("    DEGRADED: lb-2 does not answer: the address has no load balancer to move to");
    const stopped = healthy();
    stopped["lb-2"].keepalived = "inactive";
    lines.length = 0;
    expect((await runRunbook(args(new LbPair(stopped)))).status).toBe("degraded");
    expect(lines).toContain("    DEGRADED: lb-2: keepalived is inactive");
  });

  it("a hostile show stat answer is not printed: the reading is refused and named", async () => {
    const vms = healthy();
    vms["lb-2"].stat = ALL_UP.replace("api-2", "api-2\u001b[2J");
    expect((await runRunbook(args(new LbPair(vms)))).status).toBe("degraded");
    expect(lines.some((l) => l.includes("\u001b"))).toBe(false);
    expect(lines).toContain('    DEGRADED: lb-2: HAProxy\'s view not readable (lb-2: show stat, row 3: expected a server name, found "api-2\\u001b[2J")');
  });
});

describe("parseShowStat", () => {
  it("reads the real sample's rows", () => {
    expect(parseShowStat(SAMPLE, "sample").map((r) => [r.proxy, r.server, r.status, r.checkStatus])).toEqual([
      ["api_https", "FRONTEND", "OPEN", ""],
      ["api", "api-1", "UP", "L7OK"],
      ["api", "api-2", "DOWN", "L4CON"],
      ["api", "BACKEND", "UP", ""],
    ]);
  });

  it("refuses text without the header", () => {
    expect(() => parseShowStat("api,api-1,UP\n", "lb-1: show stat")).toThrow('lb-1: show stat: expected show stat\'s CSV header (# pxname,svname,...), found "api,api-1,UP"');
  });
});
