import { describe, expect, it } from "vitest";
import { INCOMING_DIR, installCommand, stagingPath, targetPathOf } from "./deliver";

describe("ConfigDelivery's pure parts", () => {
  it("stages each file flat under the incoming directory and maps it back exactly", () => {
    for (const target of ["/etc/motd", "/etc/mysql/mariadb.conf.d/60-ibac.cnf", "/etc/odd name%/x"]) {
      const staged = stagingPath(target);
      expect(staged.startsWith(`${INCOMING_DIR}/`)).toBe(true);
      expect(staged.slice(INCOMING_DIR.length + 1)).not.toContain("/");
      expect(targetPathOf(staged)).toBe(target);
    }
    expect(targetPathOf("/srv/elsewhere")).toBeUndefined();
  });

  it("installs with the file's mode and owner, removes the staged copy, then runs the follow-up", () => {
    const cmd = installCommand({ path: "/etc/haproxy/haproxy.cfg", mode: "0640", owner: "root:haproxy", afterChange: "systemctl reload haproxy" });
    expect(cmd).toBe(
      "sudo install -D -m 0640 -o root -g haproxy '/var/lib/ibac-deploy/incoming/%2Fetc%2Fhaproxy%2Fhaproxy.cfg' '/etc/haproxy/haproxy.cfg'" +
        " && rm -f '/var/lib/ibac-deploy/incoming/%2Fetc%2Fhaproxy%2Fhaproxy.cfg' && sudo sh -c 'systemctl reload haproxy'",
    );
  });

  it("quotes a follow-up that contains single quotes", () => {
    const cmd = installCommand({ path: "/etc/motd", mode: "0644", owner: "root", afterChange: "echo 'done'" });
    expect(cmd.endsWith(`sudo sh -c 'echo '\\''done'\\'''`)).toBe(true);
    expect(cmd).toContain("-o root -g root");
  });
});
