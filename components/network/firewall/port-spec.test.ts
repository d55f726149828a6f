import { describe, expect, it } from "vitest";
import { includesPort, isNearlyAllPorts, parsePorts, portCount } from "./port-spec";

describe("port fields as Proxmox and nftables spell them", () => {
  it("reads a port, a range, a list, leading zeros, service names and nft's spellings", () => {
    expect(parsePorts("22")).toEqual({ ranges: [[22, 22]], unreadable: [] });
    expect(parsePorts("20:25").ranges).toEqual([[20, 25]]);
    expect(parsePorts("0022").ranges).toEqual([[22, 22]]);
    expect(parsePorts("22,8006").ranges).toEqual([[22, 22], [8006, 8006]]);
    expect(parsePorts("ssh").ranges).toEqual([[22, 22]]);
    expect(parsePorts("mysql,https").ranges).toEqual([[443, 443], [3306, 3306]]);
    expect(parsePorts("5404-5405").ranges).toEqual([[5404, 5405]]);
    expect(parsePorts("{ 22, 8006 }").ranges).toEqual([[22, 22], [8006, 8006]]);
    expect(parsePorts("20:25,22").ranges).toEqual([[20, 25]]);
  });

  it("no port field is every port; what it cannot read it says, never guesses", () => {
    expect(parsePorts(undefined).ranges).toEqual([[1, 65535]]);
    expect(parsePorts("").ranges).toEqual([[1, 65535]]);
    expect(parsePorts("sshd").unreadable).toEqual(["sshd"]);
    expect(parsePorts("25:20").unreadable).toEqual(["25:20"]);
    expect(parsePorts("70000").unreadable).toEqual(["70000"]);
    expect(parsePorts("1:2:3").unreadable).toEqual(["1:2:3"]);
  });

  it("a range includes its ports; more than 90% of the ports is allow-any", () => {
    expect(includesPort(parsePorts("20:25").ranges, 22)).toBe(true);
    expect(includesPort(parsePorts("23:25").ranges, 22)).toBe(false);
    expect(isNearlyAllPorts(parsePorts("1:65535").ranges)).toBe(true);
    expect(isNearlyAllPorts(parsePorts("1024:65535").ranges)).toBe(true);
    expect(portCount(parsePorts("6554:65535").ranges)).toBe(58982);
    expect(isNearlyAllPorts(parsePorts("6554:65535").ranges)).toBe(true);
    expect(isNearlyAllPorts(parsePorts("6555:65535").ranges)).toBe(false);
    expect(isNearlyAllPorts(parsePorts("60000:60050").ranges)).toBe(false);
  });
});
