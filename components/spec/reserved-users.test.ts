import * as fs from "node:fs";
import { describe, expect, it } from "vitest";
import { RESERVED_USER_NAMES, reservedUserProblem } from "./reserved-users";
import { DEPLOY_USER } from "../vm/render-cloud-init";

const BASE_PASSWD = "/usr/share/base-passwd";

function namesOf(file: string): string[] {
  const full = `${BASE_PASSWD}/${file}`;
  if (!fs.existsSync(full)) throw new Error(`${full} is missing: apt-get install -y --no-install-recommends base-passwd`);
  return fs.readFileSync(full, "utf8").split("\n").filter(Boolean).map((line) => line.split(":")[0]);
}

describe("reserved user names", () => {
  it("holds every user and group of Debian's base-passwd, and the toolkit's deploy user", () => {
    const missing = [...namesOf("passwd.master"), ...namesOf("group.master"), DEPLOY_USER].filter((n) => !RESERVED_USER_NAMES.has(n));
    expect(missing).toEqual([]);
  });

  it.each([
    ["root", `expected a user name no system account uses, found "root", reserved by Debian's base system (base-passwd)`],
    ["www-data", `expected a user name no system account uses, found "www-data", reserved by Debian's base system (base-passwd)`],
    ["sudo", `expected a user name no system account uses, found "sudo", reserved by Debian's base system (base-passwd)`],
    ["mysql", `expected a user name no system account uses, found "mysql", reserved by MariaDB`],
    ["bacula", `expected a user name no system account uses, found "bacula", reserved by Bacula`],
    ["ibac-deploy", `expected a user name no system account uses, found "ibac-deploy", reserved by the toolkit's deploy user`],
    ["systemd-network", `expected a user name no system account uses, found "systemd-network", reserved by systemd's system users (systemd-network, systemd-timesync, ...)`],
    ["_chrony", `expected a user name no system account uses, found "_chrony", reserved by chrony`],
    ["_ntp", `expected a user name no system account uses, found "_ntp", reserved by Debian's convention for system users (_apt, _chrony, ...)`],
  ])("%s is reserved", (name, message) => {
    expect(reservedUserProblem(name)).toBe(message);
  });

  it.each(["ibacops", "alice", "ops-1"])("%s is free", (name) => {
    expect(reservedUserProblem(name)).toBeUndefined();
  });
});
