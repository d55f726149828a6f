import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { AGENT_SCRIPTS, PRODUCTION_MONITORING_PATHS } from "../paths";
import { describeRun, requireTool, runTool } from "../../test/support/require-tool";
import { renderAgentFiles } from "./render-agent-files";
import { sampleAgent } from "../../test/support/sample-agent";

const paths = PRODUCTION_MONITORING_PATHS.agent;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-agent-files-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const byPath = (agent = sampleAgent(paths)) => new Map(renderAgentFiles(agent, paths).map((f) => [f.path, f]));

describe("renderAgentFiles", () => {
  it("delivers the main file, the drop-in, the sudoers drop-in and every script with their modes and owners", () => {
    const files = renderAgentFiles(sampleAgent(paths), paths).map((f) => [f.path, f.mode, f.owner, f.secret ?? false]);
    expect(files).toEqual([
      ["/etc/nagios/nrpe.cfg", "0644", "root:root", false],
      ["/etc/nagios/nrpe.d/ibac.cfg", "0640", "root:nagios", false],
      ["/etc/sudoers.d/ibac-nrpe", "0440", "root:root", false],
      ...Object.values(AGENT_SCRIPTS).map((s) => [`/usr/local/lib/ibac/nrpe/${s}`, "0755", "root:root", false]),
    ]);
  });

  it("renders the drop-in: listen address, clients, no arguments, TLS with client certificates, one line per command", () => {
    expect(byPath().get(paths.config)!.content).toBe(`# iBac NRPE agent of s3-1: rendered, do not edit.
server_address=10.20.0.11
server_port=5666
allowed_hosts=10.20.0.31,10.20.0.32
dont_blame_nrpe=0
allow_bash_command_substitution=0
command_timeout=8
connection_timeout=30
ssl_version=TLSv1.2+
ssl_use_adh=0
ssl_client_certs=2
ssl_cacert_file=/etc/nagios/ibac-tls/ca.pem
ssl_cert_file=/etc/nagios/ibac-tls/agent.pem
ssl_privatekey_file=/etc/nagios/ibac-tls/agent-key.pem
command[ibac_load]=/usr/lib/nagios/plugins/check_load -r -w 2,1.5,1 -c 4,3,2
command[ibac_memory]=/usr/local/lib/ibac/nrpe/check_ibac_memory 10 5
command[ibac_drbd_storage]=/usr/bin/sudo -n -- /usr/local/lib/ibac/nrpe/check_ibac_drbd storage
command[ibac_pacemaker]=/usr/bin/sudo -n -- /usr/local/lib/ibac/nrpe/check_ibac_pacemaker
`);
  });

  it("renders a main nrpe.cfg without allowed_hosts or commands, including the drop-in directory", () => {
    const main = byPath().get(paths.mainConfig)!.content;
    expect(main).toContain("\ninclude_dir=/etc/nagios/nrpe.d/\n");
    expect(main).toContain("\npid_file=/run/nagios/nrpe.pid\n");
    expect(main).not.toMatch(/allowed_hosts|command\[|dont_blame|include=/);
  });

  it("allows exactly the root commands' argv to nagios in a sudoers file visudo accepts", () => {
    const sudoers = byPath().get(paths.sudoers)!.content;
    expect(sudoers.split("\n").filter((l) => l && !l.startsWith("#"))).toEqual([
      "nagios ALL=(root) NOPASSWD: /usr/local/lib/ibac/nrpe/check_ibac_drbd storage",
      'nagios ALL=(root) NOPASSWD: /usr/local/lib/ibac/nrpe/check_ibac_pacemaker ""',
    ]);
    const visudo = requireTool("visudo", "sudo");
    const file = path.join(dir, "ibac-nrpe");
    fs.writeFileSync(file, sudoers, { mode: 0o440 });
    const ok = runTool(visudo, ["-c", "-f", file]);
    expect(ok.status, describeRun(ok)).toBe(0);
    // visudo can fail: the same file with one rule broken.
    fs.writeFileSync(file, sudoers.replace("NOPASSWD:", "NOPASSWD"), { mode: 0o440 });
    expect(runTool(visudo, ["-c", "-f", file]).status).toBe(1);
  });

  it("gives an agent without root commands a sudoers file with no rule, still accepted", () => {
    const agent = sampleAgent(paths);
    const sudoers = byPath({ ...agent, commands: agent.commands.filter((c) => !c.asRoot) }).get(paths.sudoers)!.content;
    expect(sudoers.split("\n").filter((l) => l && !l.startsWith("#"))).toEqual([]);
    const file = path.join(dir, "empty");
    fs.writeFileSync(file, sudoers, { mode: 0o440 });
    const r = runTool(requireTool("visudo", "sudo"), ["-c", "-f", file]);
    expect(r.status, describeRun(r)).toBe(0);
  });

  it("refuses a plan NRPE would misread, with exact messages", () => {
    const agent = sampleAgent(paths);
    const bad = (o: Parameters<typeof sampleAgent>[1]) => () => renderAgentFiles(sampleAgent(paths, o), paths);
    expect(bad({ address: "s3-1" })).toThrow('agent of s3-1: address "s3-1" is not an IP address');
    expect(bad({ port: 566 })).toThrow("agent of s3-1: port 566 is not in 1024-65535 (NRPE refuses privileged ports)");
    expect(bad({ allowedFrom: [] })).toThrow("agent of s3-1: allowedFrom is empty (no monitoring VM could ask it)");
    expect(bad({ allowedFrom: ["10.20.0.0/33"] })).toThrow('agent of s3-1: allowedFrom "10.20.0.0/33" is not an IP address or network');
    expect(bad({ allowedFrom: ["10.20.0.31,0.0.0.0/0"] })).toThrow('agent of s3-1: allowedFrom "10.20.0.31,0.0.0.0/0" is not an IP address or network');
    expect(bad({ commands: [agent.commands[0]!, agent.commands[0]!] })).toThrow("agent of s3-1: command ibac_load is defined twice");
  });
});
