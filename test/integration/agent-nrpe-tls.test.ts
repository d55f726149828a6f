// The rendered NRPE agent on the real daemon (nagios-nrpe-server 4.1, bookworm): TLS with client
// certificates from the internal CA, allowed_hosts, no arguments, one command per line through /bin/sh.
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AGENT_TLS_FILES, agentTlsPaths } from "../../monitoring/agent/tls-files";
import { AGENT_SCRIPTS, monitoringPathsUnder } from "../../monitoring/paths";
import type { AgentPlan } from "../../monitoring/plan/types";
import type { LabCa } from "../lab/tls";
import { run, type RunResult } from "../lab/run";
import { requireTool } from "../support/require-tool";
import { makeNrpeLabCertificates, NRPE_LAB_NET, nrpeLabRoot, startNrpeLab, type KeyPair, type NrpeLab } from "../support/nrpe-lab";

const root = nrpeLabRoot();
const paths = monitoringPathsUnder(root).agent;
const tls = agentTlsPaths(paths);
const TLS_NAME = "s3-1.ibac.internal";
const agent: AgentPlan = {
  host: "s3-1",
  address: NRPE_LAB_NET.agent,
  port: 5666,
  allowedFrom: [NRPE_LAB_NET.allowedClient],
  tlsName: TLS_NAME,
  commands: [
    { name: "ibac_memory", argv: [`${paths.scriptDir}/${AGENT_SCRIPTS.memory}`, "1", "0"], asRoot: false, what: "memory" },
    // Quotes, a semicolon and a pipe in one argument: NRPE's /bin/sh must hand it to sh -c as one element.
    { name: "ibac_quoted", argv: ["/bin/sh", "-c", "printf '%s\\n' \"WARNING - it's a;b|c\"; exit 1"], asRoot: false, what: "quoting" },
  ],
};

let lab: NrpeLab;
let ca: LabCa;
let client: KeyPair;
let foreign: KeyPair & { ca: string };

beforeAll(async () => {
  ({ ca, client, foreign } = await makeNrpeLabCertificates(root, paths, TLS_NAME));
  lab = await startNrpeLab(agent, paths, root);
}, 60_000);

afterAll(async () => {
  await lab?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

interface Ask {
  command: string;
  cert?: KeyPair;
  caFile?: string;
  from?: string;
  extra?: string[];
}

function checkNrpe(a: Ask): Promise<RunResult> {
  const checkNrpeBin = requireTool("/usr/lib/nagios/plugins/check_nrpe", "nagios-nrpe-plugin");
  const args = ["netns", "exec", lab.clientNetns, checkNrpeBin, "-H", NRPE_LAB_NET.agent, "-p", String(agent.port), "-c", a.command, "-S", "TLSv1.2+", "-t", "5"];
  if (a.from) args.push("-b", a.from);
  if (a.caFile) args.push("-A", a.caFile);
  if (a.cert) args.push("-C", a.cert.cert, "-K", a.cert.key);
  args.push(...(a.extra ?? []));
  return run(requireTool("ip", "iproute2"), args, { timeoutMs: 15_000 });
}

const good = (command: string, extra: string[] = []): Ask => ({ command, cert: client, caFile: ca.cert, extra });

describe("NRPE agent on the real daemon (nrpe 4.1)", () => {
  it("answers a client with the internal CA's certificate with the command's output and exit code", async () => {
    const memory = await checkNrpe(good("ibac_memory"));
    expect(memory.code, memory.stdout + memory.stderr).toBe(0);
    expect(memory.stdout).toMatch(/^MEMORY OK - \d+% available \(\d+ of \d+ MiB\) \| available=\d+%;1:;0:;0;100\n$/);
    const quoted = await checkNrpe(good("ibac_quoted"));
    expect(quoted).toMatchObject({ code: 1, stdout: "WARNING - it's a;b|c\n" });
  });

  // With TLS 1.3 the server judges the client certificate after the client's handshake is done, so
  // check_nrpe fails either writing its query or reading the answer: one of two messages, exit 3 either way.
  const REFUSED_AFTER_HANDSHAKE = ["CHECK_NRPE: Error sending query to host.\n", "CHECK_NRPE: Receive header underflow - only 0 bytes received (4 expected).\n"];

  it("refuses a client without a certificate", async () => {
    const r = await checkNrpe({ command: "ibac_memory", caFile: ca.cert });
    expect(r.code, r.stdout).toBe(3);
    expect(REFUSED_AFTER_HANDSHAKE).toContain(r.stdout);
    expect(lab.log()).toContain(`Could not complete SSL handshake with ${NRPE_LAB_NET.allowedClient}: peer did not return a certificate`);
  });

  it("refuses a client whose certificate is from another CA", async () => {
    const r = await checkNrpe({ command: "ibac_memory", cert: foreign, caFile: ca.cert });
    expect(r.code, r.stdout).toBe(3);
    expect(REFUSED_AFTER_HANDSHAKE).toContain(r.stdout);
    expect(lab.log()).toContain("SSL Client has an invalid certificate: /CN=mon-1.ibac.internal (issuer=/CN=iBac lab CA) err=20:unable to get local issuer certificate");
    expect(lab.log()).toContain(`Could not complete SSL handshake with ${NRPE_LAB_NET.allowedClient}: certificate verify failed`);
  });

  it("refuses an address not in allowed_hosts, even with a good certificate", async () => {
    const r = await checkNrpe({ ...good("ibac_memory"), from: NRPE_LAB_NET.otherClient });
    // nrpe closes the connection at once; check_nrpe either reads the reset or dies of SIGPIPE writing
    // its TLS hello into it (run() reports a signal as -1). Either way nothing ran.
    if (r.code === -1) expect(r.stderr).toContain("killed (SIGPIPE)");
    else expect(r).toMatchObject({ code: 2, stdout: `CHECK_NRPE: Error - Could not connect to ${NRPE_LAB_NET.agent}: Connection reset by peer\n` });
    expect(lab.log()).toContain(`Host ${NRPE_LAB_NET.otherClient} is not allowed to talk to us!`);
  });

  it("refuses a request with arguments and a command it does not define", async () => {
    const r = await checkNrpe(good("ibac_memory", ["-a", "90", "80"]));
    expect(r).toMatchObject({ code: 3, stdout: "CHECK_NRPE: Receive header underflow - only 0 bytes received (4 expected).\n" });
    expect(lab.log()).toContain("Error: Request contained command arguments!");
    expect(await checkNrpe(good("check_load"))).toMatchObject({ code: 3, stdout: "NRPE: Command 'check_load' not defined\n" });
  });

  it("refuses anonymous DH (offered over TLS 1.2: TLS 1.3 has no ADH suites) and TLS 1.1", async () => {
    const handshakeFailed = `CHECK_NRPE: (ssl_err != 5) Error - Could not complete SSL handshake with ${NRPE_LAB_NET.agent}: 1\n`;
    // check_nrpe's -S comes first in its arguments; a second -S (last wins) picks the version.
    const adh = await checkNrpe(good("ibac_memory", ["-S", "TLSv1.2", "-d", "2"]));
    expect(adh).toMatchObject({ code: 2, stdout: handshakeFailed });
    expect(lab.log()).toContain(`Could not complete SSL handshake with ${NRPE_LAB_NET.allowedClient}: no shared cipher`);
    const old = await checkNrpe(good("ibac_memory", ["-S", "TLSv1.1"]));
    expect(old).toMatchObject({ code: 2, stdout: handshakeFailed });
    expect(lab.log()).toContain(`Could not complete SSL handshake with ${NRPE_LAB_NET.allowedClient}: unsupported protocol`);
    // The same client over TLS 1.2 with certificates is served.
    expect(await checkNrpe(good("ibac_memory", ["-S", "TLSv1.2"]))).toMatchObject({ code: 0 });
  });

  it("check_nrpe verifies the agent's chain when given -A, but not its name", async () => {
    // Another CA as -A: the agent's certificate does not chain to it, the handshake fails.
    const wrongCa = await checkNrpe({ command: "ibac_memory", cert: client, caFile: foreign.ca });
    expect(wrongCa).toMatchObject({ code: 2, stdout: `CHECK_NRPE: (ssl_err != 5) Error - Could not complete SSL handshake with ${NRPE_LAB_NET.agent}: 1\n` });
    // The certificate names only ${TLS_NAME}; asked by address, check_nrpe accepts it: no name check.
    const text = await run(requireTool("openssl", "openssl"), ["x509", "-in", tls.cert, "-noout", "-ext", "subjectAltName"]);
    expect(text.stdout).toContain(`DNS:${TLS_NAME}`);
    expect(text.stdout).not.toContain("IP Address");
    const byAddress = await checkNrpe(good("ibac_memory"));
    expect(byAddress.code, byAddress.stdout).toBe(0);
    expect(path.basename(tls.cert)).toBe(AGENT_TLS_FILES.cert);
  });
});
