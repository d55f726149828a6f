import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { loadStackFile, stackFilePath } from "../spec/load";
import { runOfflinePlan, SECRET_MARK, type OfflinePlan } from "../offline-plan/run-offline-plan";
import { RESOURCES, isResourceOf } from "../resource-types";
import { PRODUCTION_KEEPALIVED_PATHS } from "../network/vrrp/keepalived-paths";
import { NONLOCAL_BIND_SYSCTL_PATH } from "../network/vrrp/render-nonlocal-bind-sysctl";
import { PRODUCTION_HAPROXY_PATHS } from "./haproxy-paths";
import { LB_PATHS } from "./paths";
import { beforeMonitoringAgent } from "../../test/support/monitoring-installs";

const projectDir = path.resolve(__dirname, "../..");
let cached: OfflinePlan | undefined;
async function prodPlan(): Promise<OfflinePlan> {
  cached ??= await runOfflinePlan(loadStackFile(stackFilePath(projectDir, "prod")));
  return cached;
}

/** The install commands of one VM's files, in order. */
function installs(plan: OfflinePlan, vm: string): string[] {
  return beforeMonitoringAgent(plan.resources.filter((r) => isResourceOf(r, RESOURCES.RemoteCommand) && r.name.startsWith(`${vm}-config-install-`)).map((r) => String(r.inputs.create)));
}

describe("LoadBalancerTier in the prod program under pulumi.runtime.setMocks (a plan, not a deployment)", () => {
  const expected: [string, string, string][] = [
    [LB_PATHS.packagesScript, "0755", "root root"],
    [PRODUCTION_KEEPALIVED_PATHS.notifyScript, "0755", "root root"],
    [LB_PATHS.haproxyCheck, "0755", "root root"],
    [PRODUCTION_HAPROXY_PATHS.frontPem, "0600", "root root"],
    [PRODUCTION_HAPROXY_PATHS.caFile, "0644", "root root"],
    [PRODUCTION_HAPROXY_PATHS.crlFile, "0644", "root root"],
    [NONLOCAL_BIND_SYSCTL_PATH, "0644", "root root"],
    [LB_PATHS.stagedHaproxyCfg, "0644", "root root"],
    [LB_PATHS.stagedKeepalivedConf, "0644", "root root"],
    [LB_PATHS.stagedKeepalivedTest, "0644", "root root"],
    [LB_PATHS.applyScript, "0755", "root root"],
    [LB_PATHS.digest, "0600", "root root"],
  ];

  it.each(["lb-1", "lb-2"])("delivers %s its files in install order, each with its mode and owner", async (vm) => {
    const plan = await prodPlan();
    const commands = installs(plan, vm);
    const at = expected.map(([file, mode, owner]) => {
      const i = commands.findIndex((c) => c.includes(` '${file}'`));
      expect(i, `${vm} ${file}`).toBeGreaterThan(-1);
      expect(commands[i], `${vm} ${file}`).toContain(`sudo install -D -m ${mode} -o ${owner.replace(" ", " -g ")} `);
      return i;
    });
    expect(at).toEqual([...at].sort((a, b) => a - b));
    expect(commands.at(-1)).toContain(`sudo sh -c '${LB_PATHS.applyScript}'`);
    expect(commands[at[0]]).toContain(`sudo sh -c '${LB_PATHS.packagesScript}'`);
  });

  it("delivers nothing of its own to the other tiers' VMs", async () => {
    const plan = await prodPlan();
    expect([...new Set(plan.artifacts.filter((a) => a.path === LB_PATHS.stagedHaproxyCfg).map((a) => a.vm))].sort()).toEqual(["lb-1", "lb-2"]);
  });

  it("gives each VM its own keepalived instance: lb-1 first in priority, each naming the other as its peer", async () => {
    const plan = await prodPlan();
    const conf = (vm: string): string => plan.artifacts.find((a) => a.vm === vm && a.path === LB_PATHS.stagedKeepalivedConf)?.content ?? "";
    const address = (vm: string): string | undefined => plan.model.vms.find((v) => v.name === vm)?.nics[0].address;
    expect(conf("lb-1")).toContain("priority 200");
    expect(conf("lb-2")).toContain("priority 199");
    expect(conf("lb-1")).toContain(`unicast_peer {\n        ${address("lb-2")}\n    }`);
    expect(conf("lb-2")).toContain(`unicast_src_ip ${address("lb-2")}`);
    expect(conf("lb-1")).toContain(`track_script {\n        chk_haproxy\n    }`);
    expect(conf("lb-1")).toContain("script_user keepalived_script");
  });

  it("issues one front certificate for the public names and the API's address", async () => {
    const plan = await prodPlan();
    const csrs = plan.resources.filter((r) => isResourceOf(r, RESOURCES.CertRequest) && r.name.includes("-front-tls"));
    expect(csrs.length).toBe(1);
    expect(csrs[0].inputs.dnsNames).toEqual(["api.ibac.rik.ee"]);
    expect(csrs[0].inputs.ipAddresses).toEqual([plan.model.virtualIps.loadBalancer]);
  });

  it("masks the front key and keeps every made-up secret out of the artifacts and resources", async () => {
    const plan = await prodPlan();
    // The certificate (public) followed by the key, which the plan masks.
    const front = plan.artifacts.find((a) => a.vm === "lb-1" && a.path === PRODUCTION_HAPROXY_PATHS.frontPem)?.content ?? "";
    expect(front).toMatch(/^-----BEGIN CERTIFICATE-----\n[^]*-----END CERTIFICATE-----\n/);
    expect(front.endsWith(`\n${SECRET_MARK}`)).toBe(true);
    expect(plan.artifacts.find((a) => a.vm === "lb-1" && a.path === PRODUCTION_HAPROXY_PATHS.crlFile)?.content).toContain("ibac-ca-crl");
    const everything = JSON.stringify(plan.artifacts) + JSON.stringify(plan.resources);
    expect(everything).not.toContain("PRIVATE KEY");
    for (const secret of plan.knownSecrets) expect(everything.includes(secret), "a made-up secret leaked").toBe(false);
  });

  it("names the staged files in the apply script, which validates both before it installs or reloads anything", async () => {
    const plan = await prodPlan();
    const apply = plan.artifacts.find((a) => a.vm === "lb-1" && a.path === LB_PATHS.applyScript)?.content ?? "";
    const first = (s: string): number => apply.indexOf(s);
    expect(first(`haproxy -c -q -f ${LB_PATHS.stagedHaproxyCfg}`)).toBeGreaterThan(-1);
    expect(first(`keepalived --config-test --use-file ${LB_PATHS.stagedKeepalivedTest}`)).toBeGreaterThan(first("haproxy -c"));
    expect(first("install -D")).toBeGreaterThan(first("keepalived --config-test"));
    expect(first("systemctl reload-or-restart haproxy")).toBeGreaterThan(first("install -D"));
  });
});
