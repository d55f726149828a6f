// crm_mon's XML for the storage runbooks' tests, printed by the real crm_mon (pacemaker-cli-utils) from the
// small CIB of test/fixtures/storage/cib-pair.xml brought to each state by crm_simulate: offline, no cluster.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describeRun, requireTool, runTool } from "./require-tool";
import { CIB_DRBD_CLONE, CIB_DRBD_PRIMITIVE, CIB_MINIO } from "../../components/storage/cib-ids";

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
  crmMon: string;
  crmAttribute: string;
  crmResource: string;
  cibadmin: string;
}

function tools(): Tools {
  return {
    crmSimulate: requireTool("crm_simulate", "pacemaker-cli-utils"),
    crmMon: requireTool("crm_mon", "pacemaker-cli-utils"),
    crmAttribute: requireTool("crm_attribute", "pacemaker-cli-utils"),
    crmResource: requireTool("crm_resource", "pacemaker-cli-utils"),
    cibadmin: requireTool("cibadmin", "pacemaker-cli-utils"),
  };
}

function run(file: string, args: string[], cib?: string): string {
  const result = runTool(file, args, { env: { ...process.env, ...(cib ? { CIB_file: cib } : {}) }, timeout: 30_000 });
  if (result.status !== 0) throw new Error(describeRun(result));
  return result.stdout;
}

const cache = new Map<CrmMonScenario, CrmMonSample>();

/** The state's crm_mon XML and constraints, generated once per test process. */
export function crmMonSample(scenario: CrmMonScenario): CrmMonSample {
  const cached = cache.get(scenario);
  if (cached) return cached;
  const t = tools();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-crm-mon-"));
  try {
    const at = (name: string): string => path.join(dir, name);
    // Both nodes up, the DRBD clone started Unpromoted everywhere.
    run(t.crmSimulate, ["-x", FIXTURE, "-u", "s3-1", "-u", "s3-2", "-S", "-O", at("started.xml")]);
    let state = at("started.xml");
    if (scenario !== "nothing-promoted") {
      // The promotion scores ocf:linbit:drbd sets on UpToDate peers; s3-1 wins the tie by stickiness of order.
      for (const node of ["s3-1", "s3-2"]) run(t.crmAttribute, ["-N", node, "-n", `master-${CIB_DRBD_PRIMITIVE}`, "-v", "10000", "-l", "reboot"], state);
      run(t.crmSimulate, ["-x", state, "-S", "-O", at("promoted.xml")]);
      state = at("promoted.xml");
    }
    if (scenario === "moved-to-s3-2") {
      run(t.crmResource, ["--resource", CIB_DRBD_CLONE, "--move", "--promoted", "--node", "s3-2"], state);
      run(t.crmSimulate, ["-x", state, "-S", "-O", at("moved.xml")]);
      state = at("moved.xml");
    } else if (scenario === "minio-monitor-failed") {
      run(t.crmSimulate, ["-x", state, "-i", `${CIB_MINIO}_monitor_30000@s3-1=7`, "-S", "-O", at("failed.xml")]);
      state = at("failed.xml");
    } else if (scenario === "s3-2-offline") {
      run(t.crmSimulate, ["-x", state, "-d", "s3-2", "-S", "-O", at("offline.xml")]);
      state = at("offline.xml");
    } else if (scenario === "no-quorum") {
      run(t.cibadmin, ["--modify", "--xml-text", '<cib have-quorum="0"/>'], state);
    }
    const sample = {
      crmMon: run(t.crmMon, ["--one-shot", "--output-as=xml"], state),
      constraints: run(t.cibadmin, ["--query", "--scope", "constraints"], state),
    };
    cache.set(scenario, sample);
    return sample;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
