import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { stackSpec } from "../../test/fixtures/specs";
import { expectInputProblem } from "../../test/support/input-error-shape";
import { buildModel } from "../../components/model/build";
import { inventoryFromModel, loadInventoryFile, type Inventory } from "./inventory";
import { testTempDir } from "../../test/support/test-temp-dir";

const spec = stackSpec("lab");
const model = buildModel(spec).model;
if (!model) throw new Error("lab: no model");
const inventory: Inventory = inventoryFromModel("lab", model, spec, "root");
const dir = testTempDir("ibac-inventory-");

/** The inventory written as a file, as the lab writes it. */
function written(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

const pretty = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
const lineOf = (text: string, needle: string): number => text.split("\n").findIndex((l) => l.includes(needle)) + 1;

describe("runbook inventory files", () => {
  it("reads the inventory the model gives", () => {
    expect(loadInventoryFile(written("good.json", pretty(inventory)), "lab")).toEqual(inventory);
  });

  it("refuses with an input error of the shared shape: file, field path, expected, found, did-you-mean, line and column", () => {
    const text = pretty({ ...inventory, hosts: inventory.hosts.map((h, i) => (i === 1 ? { ...h, role: "replika" } : h)) });
    const file = written("role.json", text);
    expectInputProblem(() => loadInventoryFile(file, "lab"), {
      file,
      path: "hosts[1].role",
      detail: 'expected one of "primary", "replica", found "replika"; did you mean "replica"?',
      expected: 'one of "primary", "replica"',
      found: '"replika"',
      suggestion: "replica",
      position: { line: lineOf(text, '"replika"'), column: 15 },
    });
  });

  it("names a missing field by what it should be", () => {
    const text = pretty({ ...inventory, semiSync: undefined });
    const file = written("semisync.json", text);
    expect(() => loadInventoryFile(file, "lab")).toThrowError(`${file}: semiSync: expected true or false, found nothing`);
  });

  it("must describe the stack it is used for", () => {
    const text = pretty(inventory);
    const file = written("other.json", text);
    expectInputProblem(() => loadInventoryFile(file, "prod"), {
      file, path: "stack", detail: 'expected "prod", found "lab"', expected: '"prod"', found: '"lab"', position: { line: 2, column: 12 },
    });
  });

  it("is held to JSON's syntax", () => {
    const file = written("trailing.json", '{\n  "stack": "lab",\n}\n');
    expect(() => loadInventoryFile(file, "lab")).toThrowError(`${file}: JSON syntax error at line 3, column 1: Expected double-quoted property name`);
  });
});
