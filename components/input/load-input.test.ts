import * as fs from "node:fs";
import * as path from "node:path";
import { Type } from "@sinclair/typebox";
import { describe, expect, it } from "vitest";
import { InputError, type InputProblem } from "./input-error";
import { loadInput, readInputText } from "./load-input";
import { testTempDir } from "../../test/support/test-temp-dir";

const FILE = "pets.yaml";
const PetFile = Type.Object({
  name: Type.String({ minLength: 1 }),
  legs: Type.Integer({ minimum: 0 }),
  colour: Type.Unsafe<string>({ enum: ["black", "white", "ginger"] }),
  size: Type.Union([Type.Literal("small"), Type.Literal("large")]),
  owner: Type.Object({ email: Type.String({ description: "an e-mail address" }) }, { additionalProperties: false }),
}, { additionalProperties: false });

const GOOD = "name: Tom\nlegs: 4\ncolour: ginger\nsize: small\nowner:\n  email: tom@example.org\n";

function load(text: string): unknown {
  return loadInput({ file: FILE, text, schema: PetFile, expected: "a pet with name, legs, colour, size and owner" });
}

/** The InputError loading `text` throws. */
function rejection(text: string): InputError {
  try {
    load(text);
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error("expected an InputError, but the file loaded");
}

describe("the one input loader", () => {
  it("returns the data of a good file", () => {
    expect(load(GOOD)).toEqual({ name: "Tom", legs: 4, colour: "ginger", size: "small", owner: { email: "tom@example.org" } });
  });

  // One mutation of the good file each: the whole message, and the problem's parts.
  it.each<[string, string, string, Partial<InputProblem>]>([
    ["an unknown key, with did-you-mean, at the key", GOOD.replace("colour:", "colur:"), 'pets.yaml: colur: unknown key; did you mean "colour"?', { path: "colur", suggestion: "colour", position: { line: 3, column: 1 } }],
    ["an unknown nested key, listing the known ones", GOOD.replace("  email:", "  email: a@b.c\n  phone:"), "pets.yaml: owner.phone: unknown key; expected one of email", { path: "owner.phone", expected: "one of email", position: { line: 7, column: 3 } }],
    ["a wrong type", GOOD.replace("legs: 4", "legs: four"), 'pets.yaml: legs: expected integer >= 0, found "four"', { path: "legs", expected: "integer >= 0", found: '"four"', position: { line: 2, column: 7 } }],
    ["a missing key", GOOD.replace("name: Tom\n", ""), "pets.yaml: name: expected a non-empty string, found nothing", { path: "name", found: "nothing" }],
    ["an enum miss, with did-you-mean", GOOD.replace("colour: ginger", "colour: gnger"), 'pets.yaml: colour: expected one of "black", "white", "ginger", found "gnger"; did you mean "ginger"?', { suggestion: "ginger", position: { line: 3, column: 9 } }],
    ["a union of literals is an enum too", GOOD.replace("size: small", "size: lage"), 'pets.yaml: size: expected one of "small", "large", found "lage"; did you mean "large"?', { suggestion: "large" }],
    ["a duplicate key names the key and its field path", GOOD.replace("  email: tom@example.org\n", "  email: tom@example.org\n  email: tim@example.org\n"), 'pets.yaml: owner.email: expected each key once in a mapping, found "email" again (first at line 6)', { path: "owner.email", position: { line: 7, column: 3 } }],
    ["a key with a terminal escape is shown spelt out, never obeyed", GOOD.replace("size:", '"x\\e[2J": 1\nsize:'), "pets.yaml: x\\u{1b}[2J: unknown key; expected one of name, legs, colour, size, owner", { path: "x\\u{1b}[2J", position: { line: 4, column: 1 } }],
    ["a NUL byte: not text", GOOD.replace("Tom", "T\0m"), "pets.yaml: expected a text file, found a NUL byte at line 1, column 8", { path: "", position: { line: 1, column: 8 } }],
    ["a YAML syntax error, with line and column", GOOD.replace("size: small", "size: [small"), "pets.yaml: YAML syntax error at line 5, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]", { position: { line: 5, column: 1 } }],
    ["an empty file", "\n  \n", "pets.yaml: the file is empty; expected a pet with name, legs, colour, size and owner", { path: "" }],
    ["a file of the wrong kind names the keys it needs", "- Tom\n", "pets.yaml: expected a mapping with name, legs, colour, size, owner, found a list of 1", { path: "" }],
  ])("%s", (_, text, message, parts) => {
    const err = rejection(text);
    expect(err.message).toBe(message);
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toMatchObject({ file: FILE, ...parts });
  });

  it("describes each problem with its line and column, one layout for every file", () => {
    const err = rejection(GOOD.replace("legs: 4", "legs: -1").replace("colour: ginger", "colour: blue"));
    expect(err.describe()).toBe([
      "pets.yaml: legs: expected integer >= 0, found -1",
      "    at line 2, column 7",
      'pets.yaml: colour: expected one of "black", "white", "ginger", found "blue"',
      "    at line 3, column 9",
    ].join("\n"));
  });

  it("runs the meaning checks on schema-valid data only, and reports theirs", () => {
    const checks = (pet: { legs: number }): InputProblem[] => (pet.legs % 2 ? [{ file: FILE, path: "legs", detail: "expected an even number" }] : []);
    const run = (text: string): unknown => loadInput({ file: FILE, text, schema: PetFile, expected: "a pet", checks });
    expect(() => run(GOOD.replace("legs: 4", "legs: 3"))).toThrowError("pets.yaml: legs: expected an even number");
    expect(() => run(GOOD.replace("legs: 4", "legs: x"))).toThrowError('pets.yaml: legs: expected integer >= 0, found "x"');
  });

  it("holds a JSON file to JSON's syntax, with line and column", () => {
    const run = (text: string): unknown => loadInput({ file: "pets.json", text, schema: PetFile, expected: "a pet", syntax: "JSON" });
    expect(() => run('{\n  "name": "Tom",\n}\n')).toThrowError(/^pets\.json: JSON syntax error at line 3, column 1: /);
    expect(() => run("{ name: Tom }")).toThrowError(/^pets\.json: JSON syntax error at line 1, column 3: /);
  });
});

describe("reading an input file", () => {
  const dir = testTempDir("ibac-input-");
  const file = (name: string, bytes: Buffer | string): string => {
    const full = path.join(dir, name);
    fs.writeFileSync(full, bytes);
    return full;
  };

  it("returns the text of a UTF-8 file", () => {
    expect(readInputText(file("ok.yaml", "name: Tõnu\n"), "ok.yaml", "pet file")).toBe("name: Tõnu\n");
  });

  it("names a missing file by what it should be", () => {
    expect(() => readInputText(path.join(dir, "nope.yaml"), "nope.yaml", "pet file")).toThrowError(new InputError([{ file: "nope.yaml", path: "", detail: "no such pet file" }]));
  });

  it("says a file is not UTF-8 text, and where, instead of a syntax error", () => {
    const latin1 = file("latin1.yaml", Buffer.concat([Buffer.from("name: Tom\nowner: T"), Buffer.from([0xf5]), Buffer.from("nu\n")]));
    expect(() => readInputText(latin1, "latin1.yaml", "pet file")).toThrowError("latin1.yaml: expected a UTF-8 text file, found byte 0xf5, which is not UTF-8, at line 2, column 9");
  });
});
