import { describe, expect, it } from "vitest";
import { bindsOf, globalSetting, parseHaproxyConfig, serversOf, splitHaproxyLine, lastOptionValue } from "./haproxy-config";
import { blocksNamed, childBlockLines, childValue, parseKeepalivedConfig } from "./keepalived-config";

describe("haproxy.cfg reader (pure)", () => {
  it.each([
    ["  bind 10.0.0.10:443 ssl crt /etc/haproxy/front.pem", ["bind", "10.0.0.10:443", "ssl", "crt", "/etc/haproxy/front.pem"]],
    ['  http-response set-header Strict-Transport-Security "max-age=63072000"', ["http-response", "set-header", "Strict-Transport-Security", "max-age=63072000"]],
    ["  server a 10.0.0.1:8443 check # the first", ["server", "a", "10.0.0.1:8443", "check"]],
    ["# only a comment", []],
    ["  log-format 'a b'\\ c", ["log-format", "a b c"]],
  ])("splits %j as HAProxy does", (line, words) => {
    expect(splitHaproxyLine(line)).toEqual(words);
  });

  it("reads sections, binds, servers with their default-server options, and global settings", () => {
    const cfg = ["global", "  ssl-default-bind-ciphers A:B", "defaults", "  mode http", "frontend web", "  bind :443 ssl crt x.pem", "backend api", "  default-server check inter 2s verify required", "  server a 10.0.0.1:8443 inter 500", "  server b 10.0.0.2:8443 verify none", ""].join("\n");
    const sections = parseHaproxyConfig(cfg);
    expect(sections.map((s) => `${s.kind} ${s.name}`.trim())).toEqual(["global", "defaults", "frontend web", "backend api"]);
    expect(bindsOf(sections[2])).toEqual([expect.objectContaining({ address: ":443", words: ["ssl", "crt", "x.pem"], line: 6 })]);
    const servers = serversOf(sections[3]);
    expect(servers.map((s) => [s.name, s.address, lastOptionValue(s.words, "inter"), lastOptionValue(s.words, "verify")])).toEqual([
      ["a", "10.0.0.1:8443", "500", "required"],
      ["b", "10.0.0.2:8443", "2s", "none"],
    ]);
    expect(globalSetting(sections, "ssl-default-bind-ciphers")?.words).toEqual(["ssl-default-bind-ciphers", "A:B"]);
  });
});

describe("keepalived.conf reader (pure)", () => {
  it("reads blocks, nested blocks and values, dropping comments", () => {
    const conf = [
      "global_defs {", "  vrrp_version 3   # v3", "}", "vrrp_instance ibac_api {", "  state BACKUP", "  priority 150", "  unicast_peer {", "    10.0.0.2", "    10.0.0.3", "  }",
      "  virtual_ipaddress {", "    10.0.0.10/24 dev eth0", "  }", "}", "! a comment", "",
    ].join("\n");
    const tree = parseKeepalivedConfig(conf);
    const [instance] = blocksNamed(tree, "vrrp_instance");
    expect(instance.words).toEqual(["vrrp_instance", "ibac_api"]);
    expect(childValue(instance, "priority")).toEqual(["150"]);
    expect(childBlockLines(instance, "unicast_peer")).toEqual([["10.0.0.2"], ["10.0.0.3"]]);
    expect(childBlockLines(instance, "virtual_ipaddress")).toEqual([["10.0.0.10/24", "dev", "eth0"]]);
    expect(childValue(blocksNamed(tree, "global_defs")[0], "vrrp_version")).toEqual(["3"]);
  });
});
