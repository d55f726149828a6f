// crm_mon's XML for the storage runbooks' tests, printed by the real crm_mon (pacemaker-cli-utils) from the
// small CIB of test/fixtures/storage/cib-pair.xml brought to each state by crm_simulate: offline, no cluster.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describeRun, requireTool, runTool } from "./require-tool";
import { DRBD_PRIMITIVE_ID, MINIO_RESOURCE_ID } from "../../components/storage/cib-resource-ids";
import { commands } from "../../playbooks/storage/pair";

const FIXTURE = path.join(__dirname, "..", "fixtures", "storage", "cib-pair.xml");

export type CrmMonScenario =
  /** Both nodes online, s3-1 Promoted and running the service group. */
  | "healthy"
  /** After `crm_resource --move --promoted --node s3-2`: s3-2 Promoted, the cli-prefer constraint still there. */
  | "moved-to-s3-2"
  /** MinIO's monitor failed on s3-1 (and was recovered): a failed action stays until cleanup. */
  | "minio-monitor-failed"
  /** s3-2 offline: s3-1 serves alone. */
  | "s3-2-offline"
  /** The partition has no quorum. */
  | "no-quorum"
  /** No promotion score on either node (DRBD not UpToDate anywhere): nothing Promoted, the service stopped. */
  | "nothing-promoted";

export interface CrmMonSample {
  /** `crm_mon --one-shot --output-as=xml` of the state. */
  crmMon: string;
  /** `cibadmin --query --scope constraints` of the state. */
  constraints: string;
}

interface Tools {
  crmSimulate: string;
  crmAttribute: string;
  cibadmin: string;
}

function tools(): Tools {
  return {
    crmSimulate: requireTool("crm_simulate", "pacemaker-cli-utils"),
    crmAttribute: requireTool("crm_attribute", "pacemaker-cli-utils"),
    cibadmin: requireTool("cibadmin", "pacemaker-cli-utils"),
  };
}

/** One of the runbooks' own command lines, run by sh against the CIB file as it would run on a VM. */
export function runCommandOnCib(command: string, cib: string): string {
  // crm_mon and crm_resource are named bare in the command lines: checked here so a missing one says its package.
  requireTool("crm_mon", "pacemaker-cli-utils");
  requireTool("crm_resource", "pacemaker-cli-utils");
  return run("/bin/sh", ["-c", command], cib);
}

function run(file: string, args: string[], cib?: string): string {
  // Pacemaker's tools live in sbin, which a non-root PATH leaves out; the runbooks' command lines name them bare.
  const env = { ...process.env, PATH: `${process.env.PATH ?? ""}:/usr/local/sbin:/usr/sbin:/sbin`, ...(cib ? { CIB_file: cib } : {}) };
  const result = runTool(file, args, { env, timeout: 30_000 });
  if (result.status !== 0) throw new Error(describeRun(result));
  return result.stdout;
}

/** Lets Pacemaker carry out what the CIB now asks for (crm_simulate -S), as the cluster would. */
export function settle(cib: string): void {
  const out = `${cib}.next`;
  run(tools().crmSimulate, ["-x", cib, "-S", "-O", out]);
  fs.renameSync(out, cib);
}

/** A CIB file in `dir` brought to the scenario's state. */
export function cibIn(dir: string, scenario: CrmMonScenario): string {
  const t = tools();
  const state = path.join(dir, "cib.xml");
  // Both nodes up, the DRBD clone started Unpromoted everywhere.
  run(t.crmSimulate, ["-x", FIXTURE, "-u", "s3-1", "-u", "s3-2", "-S", "-O", state]);
  if (scenario !== "nothing-promoted") {
    // The promotion scores ocf:linbit:drbd sets on UpToDate peers; s3-1 wins the tie by stickiness of order.
    for (const node of ["s3-1", "s3-2"]) run(t.crmAttribute, ["-N", node, "-n", `master-${DRBD_PRIMITIVE_ID}`, "-v", "10000", "-l", "reboot"], state);
    settle(state);
  }
  if (scenario === "moved-to-s3-2") {
    // The runbook's own command line (storage-switchover step 2), by the real crm_resource.
    runCommandOnCib(commands.move("s3-2"), state);
    settle(state);
  } else if (scenario === "minio-monitor-failed") {
    run(t.crmSimulate, ["-x", state, "-i", `${MINIO_RESOURCE_ID}_monitor_30000@s3-1=7`, "-S", "-O", `${state}.next`]);
    fs.renameSync(`${state}.next`, state);
  } else if (scenario === "s3-2-offline") {
    run(t.crmSimulate, ["-x", state, "-d", "s3-2", "-S", "-O", `${state}.next`]);
    fs.renameSync(`${state}.next`, state);
  } else if (scenario === "no-quorum") {
    run(t.cibadmin, ["--modify", "--xml-text", '<cib have-quorum="0"/>'], state);
  }
  return state;
}

/** What the runbooks' probes print for a CIB file: crm_mon's XML and the constraints. */
export function sampleOf(cib: string): CrmMonSample {
  return { crmMon: runCommandOnCib(commands.crmMon, cib), constraints: runCommandOnCib(commands.constraints, cib) };
}

const cache = new Map<CrmMonScenario, CrmMonSample>();

/** The state's crm_mon XML and constraints, generated once per test process. */
export function crmMonSample(scenario: CrmMonScenario): CrmMonSample {
  const cached = cache.get(scenario);
  if (cached) return cached;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-crm-mon-"));
  try {
    const sample = sampleOf(cibIn(dir, scenario));
    cache.set(scenario, sample);
    return sample;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
