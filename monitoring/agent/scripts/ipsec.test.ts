import { afterAll, describe, expect, it } from "vitest";
import { AGENT_SCRIPTS } from "../../paths";
import { scriptBench } from "../../../test/support/agent-script";

// swanctl is a stand-in printing strongSwan 5.9's `--list-sas --ike NAME` layout (the VPN tier's live tests
// match the same CHILD_SA line against a real charon): charon is not started for this unit test.
const bench = scriptBench("agent-ipsec");
afterAll(() => bench.remove());

const sa = (ike: string, child: string): string => `site: #3, ${ike}, IKEv2, 6c1e2f3a4b5c6d7e_i* 8f9a0b1c2d3e4f50_r
  local  'gw1.example' @ 10.0.0.1[4500]
  remote 'gw2.example' @ 10.0.0.2[4500]
  AES_GCM_16-256/PRF_HMAC_SHA2_384/ECP_384
  established 120s ago, rekeying in 13000s
  site: #4, reqid 1, ${child}, TUNNEL, ESP:AES_GCM_16-256
    installed 120s ago, rekeying in 3000s, expires in 3720s
    in  c1a2b3c4,      0 bytes,     0 packets
    out c5d6e7f8,      0 bytes,     0 packets
    local  10.1.0.0/24
    remote 10.2.0.0/24
`;

describe("check_ibac_ipsec", () => {
  it("is OK with an ESTABLISHED IKE SA and an INSTALLED CHILD_SA", () => {
    bench.standIn("swanctl", { stdout: sa("ESTABLISHED", "INSTALLED"), status: 0 });
    expect(bench.run(AGENT_SCRIPTS.ipsec, ["site"])).toMatchObject({ status: 0, line: "IPSEC OK - site: 1 of 1 IKE SAs established, 1 CHILD_SAs installed | ike_established=1 child_installed=1" });
  });

  it("is CRITICAL while connecting, without a CHILD_SA, with no SA, or when charon does not answer", () => {
    bench.standIn("swanctl", { stdout: "site: #5, CONNECTING, IKEv2, 6c1e2f3a4b5c6d7e_i* 0000000000000000_r\n", status: 0 });
    expect(bench.run(AGENT_SCRIPTS.ipsec, ["site"])).toMatchObject({ status: 2, line: "IPSEC CRITICAL - site: 0 of 1 IKE SAs established, 0 CHILD_SAs installed | ike_established=0 child_installed=0" });
    bench.standIn("swanctl", { stdout: sa("ESTABLISHED", "REKEYING"), status: 0 });
    expect(bench.run(AGENT_SCRIPTS.ipsec, ["site"])).toMatchObject({ status: 2, line: "IPSEC CRITICAL - site: 1 of 1 IKE SAs established, 0 CHILD_SAs installed | ike_established=1 child_installed=0" });
    bench.standIn("swanctl", { stdout: "", status: 0 });
    expect(bench.run(AGENT_SCRIPTS.ipsec, ["site"])).toMatchObject({ status: 2, line: "IPSEC CRITICAL - site: 0 of 0 IKE SAs established, 0 CHILD_SAs installed | ike_established=0 child_installed=0" });
    bench.standIn("swanctl", { stdout: "connecting to 'unix:///var/run/charon.vici' failed: No such file or directory\n", status: 1 });
    expect(bench.run(AGENT_SCRIPTS.ipsec, ["site"])).toMatchObject({ status: 2, line: "IPSEC CRITICAL - swanctl --list-sas failed: connecting to 'unix:///var/run/charon.vici' failed: No such file or directory" });
  });

  it("is UNKNOWN on bad usage or without swanctl", () => {
    expect(bench.run(AGENT_SCRIPTS.ipsec, ["--raw"])).toMatchObject({ status: 3, line: "IPSEC UNKNOWN - usage: check_ibac_ipsec CONNECTION" });
    expect(bench.run(AGENT_SCRIPTS.ipsec, [], {})).toMatchObject({ status: 3, line: "IPSEC UNKNOWN - usage: check_ibac_ipsec CONNECTION" });
    expect(bench.run(AGENT_SCRIPTS.ipsec, ["site"], { PATH: "/usr/bin:/bin" })).toMatchObject({ status: 3, line: "IPSEC UNKNOWN - swanctl not found (Debian package strongswan-swanctl)" });
  });
});
