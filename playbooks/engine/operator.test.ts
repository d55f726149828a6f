import * as os from "node:os";
import { describe, expect, it } from "vitest";
import { loginOperator } from "./operator";

describe("the operator recorded in the audit log", () => {
  const none = { loginuid: () => "4294967295", logname: () => "", ttyOwner: () => undefined };

  it("comes from the kernel's login UID, which sudo and su keep", () => {
    expect(loginOperator({ ...none, loginuid: () => "0\n" })).toEqual({ name: "root", from: "loginuid" });
  });

  it("else from the terminal's login record, else the terminal's owner, else the process's user", () => {
    expect(loginOperator({ ...none, logname: () => "alice" })).toEqual({ name: "alice", from: "logname" });
    expect(loginOperator({ ...none, ttyOwner: () => 0 })).toEqual({ name: "root", from: "tty" });
    expect(loginOperator(none)).toEqual({ name: os.userInfo().username, from: "process" });
  });

  it("never from $USER or $SUDO_USER", () => {
    const saved = { USER: process.env.USER, SUDO_USER: process.env.SUDO_USER };
    process.env.USER = "mallory";
    process.env.SUDO_USER = "mallory";
    try {
      expect(loginOperator(none).name).not.toBe("mallory");
      expect(loginOperator({ ...none, loginuid: () => "0" }).name).toBe("root");
    } finally {
      process.env.USER = saved.USER;
      process.env.SUDO_USER = saved.SUDO_USER;
      if (saved.USER === undefined) delete process.env.USER;
      if (saved.SUDO_USER === undefined) delete process.env.SUDO_USER;
    }
  });

  it("a login name that is not a user name is not taken", () => {
    expect(loginOperator({ ...none, logname: () => "alice\nmallory" }).from).toBe("process");
  });
});
