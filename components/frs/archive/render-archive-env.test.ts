import { describe, expect, it } from "vitest";
import { renderArchiveEnv } from "./render-archive-env";

describe("renderArchiveEnv", () => {
  it("holds the FRS S3 user's keys, one variable each", () => {
    expect(renderArchiveEnv({ accessKey: "ibac-frs", secretKey: "Abcdefgh12345678xyz" })).toBe(
      "# Rendered by the iBac toolkit: the FRS S3 user's keys for ibac-frs-archive.service (root only).\nIBAC_S3_ACCESS_KEY=ibac-frs\nIBAC_S3_SECRET_KEY=Abcdefgh12345678xyz\n",
    );
  });

  it("refuses a secret the env-file parser or an MC_HOST_ URL would split, without showing it", () => {
    const bad = () => renderArchiveEnv({ accessKey: "ibac-frs", secretKey: "abc:defgh$12345678\nX=1" });
    expect(bad).toThrow("renderArchiveEnv: secretKey: expected 16 to 128 characters of letters, digits and -_.+=,~, found 22 characters, some outside that set (the value is a secret and not shown)");
    expect(() => renderArchiveEnv({ accessKey: "ibac-frs", secretKey: "short" })).toThrow("renderArchiveEnv: secretKey: expected 16 to 128 characters of letters, digits and -_.+=,~, found 5 characters (the value is a secret and not shown)");
    expect(() => renderArchiveEnv({ accessKey: "a b", secretKey: "Abcdefgh12345678xyz" })).toThrow("renderArchiveEnv: accessKey: expected 3 to 128 characters");
  });
});
