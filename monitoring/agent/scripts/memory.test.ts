import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { AGENT_SCRIPTS } from "../../paths";
import { scriptBench } from "../../../test/support/agent-script";

const bench = scriptBench("agent-memory");
afterAll(() => bench.remove());

function meminfo(totalKb: number, availableKb: number): string {
  const file = path.join(bench.dir, `meminfo-${availableKb}`);
  fs.writeFileSync(file, `MemTotal:       ${totalKb} kB\nMemFree:         1000 kB\nMemAvailable:   ${availableKb} kB\nBuffers:          100 kB\n`);
  return file;
}

describe("check_ibac_memory", () => {
  it("is OK on this machine's /proc/meminfo with thresholds no host reaches", () => {
    const r = bench.run(AGENT_SCRIPTS.memory, ["1", "0"]);
    expect(r.status, r.line).toBe(0);
    expect(r.line).toMatch(/^MEMORY OK - \d+% available \(\d+ of \d+ MiB\) \| available=\d+%;1:;0:;0;100$/);
  });

  it("says OK, WARNING and CRITICAL by MemAvailable against the thresholds", () => {
    const at = (kb: number) => bench.run(AGENT_SCRIPTS.memory, ["20", "10"], { IBAC_MEMINFO: meminfo(4194304, kb) });
    expect(at(2097152)).toMatchObject({ status: 0, line: "MEMORY OK - 50% available (2048 of 4096 MiB) | available=50%;20:;10:;0;100" });
    expect(at(629146)).toMatchObject({ status: 1, line: "MEMORY WARNING - 15% available (614 of 4096 MiB) | available=15%;20:;10:;0;100" });
    expect(at(214000)).toMatchObject({ status: 2, line: "MEMORY CRITICAL - 5% available (208 of 4096 MiB) | available=5%;20:;10:;0;100" });
  });

  it("is UNKNOWN on bad usage or a meminfo without MemAvailable", () => {
    const usage = "MEMORY UNKNOWN - usage: check_ibac_memory WARN_PCT CRIT_PCT (integers, 100 >= WARN > CRIT)";
    expect(bench.run(AGENT_SCRIPTS.memory, ["10", "20"])).toMatchObject({ status: 3, line: usage });
    expect(bench.run(AGENT_SCRIPTS.memory, ["20"])).toMatchObject({ status: 3, line: usage });
    expect(bench.run(AGENT_SCRIPTS.memory, ["2O", "10"])).toMatchObject({ status: 3, line: usage });
    const old = path.join(bench.dir, "meminfo-old");
    fs.writeFileSync(old, "MemTotal: 1000 kB\nMemFree: 10 kB\n");
    expect(bench.run(AGENT_SCRIPTS.memory, ["20", "10"], { IBAC_MEMINFO: old })).toMatchObject({ status: 3, line: `MEMORY UNKNOWN - no MemTotal/MemAvailable in ${old}` });
  });
});
