// Why the agent replaces Debian's main nrpe.cfg: NRPE 4.1 ADDS every allowed_hosts line it reads to one list,
// so a drop-in cannot narrow what the main file allows. Shown on the real daemon with the rendered files and
// a main file that, like Debian's, has an allowed_hosts line of its own.
import * as fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AGENT_SCRIPTS, monitoringPathsUnder } from "../../monitoring/paths";
import type { AgentPlan } from "../../monitoring/plan/types";
import { run } from "../lab/run";
import { requireTool } from "../support/require-tool";
import { makeNrpeLabCertificates, NRPE_LAB_NET, nrpeLabRoot, startNrpeLab, type NrpeLab, type NrpeLabCertificates } from "../support/nrpe-lab";

const root = nrpeLabRoot();
const paths = monitoringPathsUnder(root).agent;
const agent: AgentPlan = {
  host: "s3-1",
  address: NRPE_LAB_NET.agent,
  port: 5666,
  allowedFrom: [NRPE_LAB_NET.allowedClient],
  tlsName: "s3-1.ibac.internal",
  commands: [{ name: "ibac_memory", argv: [`${paths.scriptDir}/${AGENT_SCRIPTS.memory}`, "1", "0"], asRoot: false, what: "memory" }],
};

let lab: NrpeLab;
let certs: NrpeLabCertificates;
beforeAll(async () => {
  certs = await makeNrpeLabCertificates(root, paths, agent.tlsName);
  lab = await startNrpeLab(agent, paths, root, { editMainConfig: (text) => `allowed_hosts=${NRPE_LAB_NET.otherClient}\n${text}` });
}, 60_000);
afterAll(async () => {
  await lab?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

describe("NRPE 4.1 allowed_hosts in two files", () => {
  it("lets in the main file's host and the drop-in's, though the log names only the last list", async () => {
    const ask = (from: string) =>
      run(requireTool("ip", "iproute2"), [
        "netns", "exec", lab.clientNetns, requireTool("/usr/lib/nagios/plugins/check_nrpe", "nagios-nrpe-plugin"),
        "-H", NRPE_LAB_NET.agent, "-b", from, "-c", "ibac_memory", "-S", "TLSv1.2+", "-A", certs.ca.cert, "-C", certs.client.cert, "-K", certs.client.key,
      ]);
    expect((await ask(NRPE_LAB_NET.allowedClient)).code).toBe(0);
    const other = await ask(NRPE_LAB_NET.otherClient);
    expect(other.code, other.stdout).toBe(0);
    expect(other.stdout).toMatch(/^MEMORY OK - /);
    expect(lab.log()).toContain(`Allowing connections from: ${NRPE_LAB_NET.allowedClient}\n`);
  });
});
