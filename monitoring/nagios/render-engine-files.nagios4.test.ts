import * as fs from "node:fs";
import { describe, expect, it } from "vitest";
import { monitoringPathsUnder } from "../paths";
import { describeRun } from "../../test/support/require-tool";
import { smallPlan } from "./fixtures/small-plan";
import { makeRoot, nagiosVerify, testEngineOptions, totalErrors, writeFiles } from "./fixtures/nagios-verify";
import { renderEngineFiles } from "./render-engine-files";

describe("renderEngineFiles, checked by nagios4 -v (Debian 12's Nagios 4.4.6)", () => {
  it.each(["mon-1", "mon-2"])("%s: 0 errors", (vm) => {
    const root = makeRoot("nagios-verify");
    try {
      const paths = monitoringPathsUnder(root).engine;
      writeFiles(renderEngineFiles(smallPlan(), vm, paths, { mysqlPassword: "s3cret" }, testEngineOptions()), paths);
      const result = nagiosVerify(paths.mainConfig);
      expect(result.status, describeRun(result)).toBe(0);
      expect(totalErrors(result), describeRun(result)).toBe(0);
      console.log(result.stdout);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
