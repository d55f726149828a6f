import * as fs from "node:fs";
import { describe, expect, it } from "vitest";
import { monitoringPathsUnder, PRODUCTION_MONITORING_PATHS } from "../paths";
import type { MonitoringPlan } from "../plan/types";
import { describeRun } from "../../test/support/require-tool";
import { DAEMON_PORTS, shinkenPlan } from "../../test/fixtures/monitoring-engine/shinken-plan";
import { smallPlan } from "../../test/fixtures/monitoring-engine/small-plan";
import { makeRoot, nagiosVerify, testEngineOptions, totalErrors, writeFiles } from "../../test/fixtures/monitoring-engine/nagios-verify";
import { renderEngineFiles } from "../nagios/render-engine-files";
import { readIni, readMainCfg, readObjects } from "../../test/fixtures/monitoring-engine/read-shinken";
import { renderShinkenFiles } from "./render-shinken-files";
import { parseStack } from "../../components/spec/load";
import { prodWithField, stackFileName } from "../../test/fixtures/specs";
import { fixtureTlsEndpoints } from "../../test/fixtures/monitoring-tls-endpoints";
import { deriveMonitoringPlan } from "../plan/derive-monitoring-plan";

const PATHS = PRODUCTION_MONITORING_PATHS.engine;
const SHINKEN_ONLY_KEYS = ["spare", "realm", "use_ssl", "hard_ssl_name_check", "manage_arbiters", "manage_sub_realms", "data_timeout", "poller_tag", "reactionner_tag", "business_impact"];

describe("renderShinkenFiles: structure (read back by a small reader; no Shinken validator exists here)", () => {
  const files = renderShinkenFiles(shinkenPlan(), PATHS);
  const byPath = new Map(files.map((f) => [f.path, f]));

  it("the files, their modes and owners", () => {
    expect(files.map((f) => `${f.path} ${f.mode} ${f.owner}`)).toEqual([
      "/etc/shinken/shinken.cfg 0644 root:root",
      ...["mon-1", "mon-2"].flatMap((vm) => ["arbiter", "scheduler", "poller", "reactionner", "broker", "receiver"].map((k) => `/etc/shinken/${k}s/${k}-${vm}.cfg 0644 root:root`)),
      "/etc/shinken/realms/all.cfg 0644 root:root",
      ...["scheduler", "poller", "reactionner", "broker", "receiver"].map((k) => `/etc/shinken/daemons/${k}d.ini 0644 root:root`),
    ]);
  });

  it("every daemon once per VM, the second VM's as spares, realm All, the design's ports", () => {
    const daemons = files.filter((f) => /\/(arbiter|scheduler|poller|reactionner|broker|receiver)s\//.test(f.path)).flatMap((f) => readObjects(f.content));
    expect(daemons).toHaveLength(12);
    for (const d of daemons) {
      const name = d.keys.get(`${d.type}_name`) ?? "";
      const vm = name.slice(d.type.length + 1);
      expect(d.keys.get("spare"), name).toBe(vm === "mon-2" ? "1" : "0");
      expect(d.keys.get("port"), name).toBe(String(DAEMON_PORTS[d.type as keyof typeof DAEMON_PORTS]));
      expect(d.keys.get("address"), name).toBe(vm === "mon-1" ? "10.20.1.41" : "10.20.1.42");
      expect(d.keys.get("realm"), name).toBe(d.type === "arbiter" ? undefined : "All");
      expect(d.keys.get("use_ssl"), name).toBe("1");
    }
    expect(daemons.filter((d) => d.type === "arbiter").map((d) => d.keys.get("host_name"))).toEqual(["mon-1", "mon-2"]);
    expect(readObjects(byPath.get("/etc/shinken/realms/all.cfg")?.content ?? "")).toEqual([{ type: "realm", keys: new Map([["realm_name", "All"], ["default", "1"]]) }]);
  });

  it("shinken.cfg reads the objects nagios4 checks, and every daemon directory", () => {
    const main = readMainCfg(byPath.get("/etc/shinken/shinken.cfg")?.content ?? "");
    expect(main.filter(([k]) => k === "cfg_dir").map(([, v]) => v)).toEqual(["/etc/nagios4/ibac", ...["arbiters", "schedulers", "pollers", "reactionners", "brokers", "receivers", "realms"].map((d) => `/etc/shinken/${d}`)]);
    const settings = new Map(main);
    expect(settings.get("resource_file")).toBe("/etc/nagios4/resource.cfg");
    expect(settings.get("interval_length")).toBe("1");
    expect(settings.get("enable_environment_macros")).toBe("1");
  });

  it("the satellites' ini files: [daemon], port, user, TLS from the internal CA", () => {
    const ini = readIni(byPath.get("/etc/shinken/daemons/pollerd.ini")?.content ?? "");
    const daemon = ini.get("daemon");
    expect([...ini.keys()]).toEqual(["daemon"]);
    expect(daemon?.get("port")).toBe("7771");
    expect(daemon?.get("host")).toBe("0.0.0.0");
    expect(daemon?.get("user")).toBe("shinken");
    expect(daemon?.get("use_ssl")).toBe("1");
    expect(daemon?.get("ca_cert")).toBe("/etc/ibac/monitoring/ca.pem");
    expect(daemon?.get("pidfile")).toBe("%(workdir)s/pollerd.pid");
  });

  it("for one VM, the ini files bind that VM's daemon address", () => {
    const ini = renderShinkenFiles(shinkenPlan(), PATHS, "mon-2").find((f) => f.path.endsWith("/schedulerd.ini"));
    expect(readIni(ini?.content ?? "").get("daemon")?.get("host")).toBe("10.20.1.42");
  });
});

describe("the objects directory shared with Shinken passes nagios4 -v and holds no Shinken-only key", () => {
  it.each(["mon-1", "mon-2"])("%s (engine shinken): 0 errors, no standby objects", (vm) => {
    const root = makeRoot("shinken-objects");
    try {
      const paths = monitoringPathsUnder(root).engine;
      const engine = renderEngineFiles(shinkenPlan(), vm, paths, { mysqlPassword: "x" }, testEngineOptions());
      writeFiles([...engine, ...renderShinkenFiles(shinkenPlan(), paths, vm)], paths);
      const r = nagiosVerify(paths.mainConfig);
      expect(r.status, describeRun(r)).toBe(0);
      expect(totalErrors(r), describeRun(r)).toBe(0);
      const objects = fs.readdirSync(paths.objectsDir);
      expect(objects).not.toContain("standby.cfg");
      for (const name of objects) {
        for (const o of readObjects(fs.readFileSync(`${paths.objectsDir}/${name}`, "utf8"))) {
          for (const key of SHINKEN_ONLY_KEYS) expect(o.keys.has(key), `${name}: ${o.type} has ${key}`).toBe(false);
        }
      }
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it("mutant: the daemon definitions in nagios4's cfg_dir are refused (so they must stay out of it)", () => {
    const root = makeRoot("shinken-mutant");
    try {
      const paths = monitoringPathsUnder(root).engine;
      const engine = renderEngineFiles(shinkenPlan(), "mon-1", paths, { mysqlPassword: "x" }, testEngineOptions());
      const scheduler = renderShinkenFiles(shinkenPlan(), paths).find((f) => f.path.endsWith("/scheduler-mon-1.cfg"));
      if (!scheduler) throw new Error("no scheduler-mon-1.cfg");
      writeFiles([...engine, { ...scheduler, path: `${paths.objectsDir}/scheduler-mon-1.cfg` }], paths);
      const r = nagiosVerify(paths.mainConfig);
      expect(r.status).toBe(1);
      expect(r.stdout).toMatch(/Error: Invalid object definition type 'scheduler'/);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("the prod stack with engine shinken (the plan helper's deriveMonitoringPlan)", () => {
  const { spec, model } = parseStack(prodWithField(["monitoring", "engine"], "shinken"), stackFileName("prod"), "prod");
  const plan = deriveMonitoringPlan(spec, model, fixtureTlsEndpoints(spec, model));

  it("12 daemons, the second VM's spares; its objects pass nagios4 -v on both VMs", () => {
    const files = renderShinkenFiles(plan, PATHS);
    const daemons = files.filter((f) => /\/(arbiter|scheduler|poller|reactionner|broker|receiver)s\//.test(f.path)).flatMap((f) => readObjects(f.content));
    expect(daemons).toHaveLength(12);
    expect(daemons.filter((d) => d.keys.get("spare") === "1").map((d) => d.keys.get("address"))).toEqual(Array(6).fill(plan.servers[1].address));
    for (const server of plan.servers) {
      const root = makeRoot("shinken-prod");
      try {
        const paths = monitoringPathsUnder(root).engine;
        writeFiles([...renderEngineFiles(plan, server.vm, paths, { mysqlPassword: "x" }, testEngineOptions()), ...renderShinkenFiles(plan, paths, server.vm)], paths);
        const r = nagiosVerify(paths.mainConfig);
        expect(r.status, describeRun(r)).toBe(0);
        expect(r.stdout).toContain(`Checked ${plan.checks.length} services.`);
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    }
  });
});

describe("renderShinkenFiles refuses", () => {
  const mutate = (change: (p: MonitoringPlan) => void): MonitoringPlan => {
    const p = shinkenPlan();
    change(p);
    return p;
  };
  it.each<[string, MonitoringPlan, string]>([
    ["a nagios4 plan", smallPlan(), "shinken: the plan's engine is nagios4, not shinken"],
    ["two masters", mutate((p) => (p.shinkenDaemons[7].spare = false)), "shinken: expected one scheduler that is not a spare, found 2"],
    ["no broker", mutate((p) => (p.shinkenDaemons = p.shinkenDaemons.filter((d) => d.kind !== "broker"))), "shinken: expected one broker that is not a spare, found 0"],
    ["a wrong name", mutate((p) => (p.shinkenDaemons[0].name = "arbiter-x")), 'shinken: daemon "arbiter-x": expected the name arbiter-mon-1'],
    ["a daemon on another VM", mutate((p) => { p.shinkenDaemons[0].vm = "db-1"; p.shinkenDaemons[0].name = "arbiter-db-1"; }), 'shinken: daemon "arbiter-db-1": "db-1" is not a monitoring VM of the plan'],
    ["a bad address", mutate((p) => (p.shinkenDaemons[0].address = "10.0.0.1;x")), 'nagios: daemon "arbiter-mon-1": address: expected no \';\' (it starts a comment), found "10.0.0.1;x"'],
    ["different ports without a VM", mutate((p) => (p.shinkenDaemons[7].port = 17768)), "shinken: the schedulers listen on different ports (7768, 17768): render the ini files for one VM"],
  ])("%s", (_what, plan, message) => {
    expect(() => renderShinkenFiles(plan, PATHS)).toThrowError(new Error(message));
  });
});
