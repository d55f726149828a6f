// Schemas and values in words, for the `expected X, found Y` of every input problem.

/** The part of a JSON Schema that its description in words needs. */
export interface SchemaLike {
  type?: string;
  required?: string[];
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  multipleOf?: number;
  minItems?: number;
  minLength?: number;
  uniqueItems?: boolean;
  description?: string;
  items?: SchemaLike;
  properties?: Record<string, SchemaLike>;
  anyOf?: SchemaLike[];
  const?: unknown;
}

/**
 * What a schema wants, in words: `integer >= 1`, `one of 8, 9`, `an IPv4 address such as ...`. With
 * `listKeys`, a mapping also names its required keys (for a missing mapping, where that says what to write).
 */
export function describeSchema(schema: SchemaLike, listKeys = false): string {
  const choices = closedSet(schema);
  if (choices) return `one of ${choices.map((v) => JSON.stringify(v)).join(", ")}`;
  switch (schema.type) {
    case "integer":
    case "number": {
      let text = schema.type;
      if (schema.minimum !== undefined && schema.maximum !== undefined) text += ` from ${schema.minimum} to ${schema.maximum}`;
      else if (schema.minimum !== undefined) text += ` >= ${schema.minimum}`;
      else if (schema.maximum !== undefined) text += ` <= ${schema.maximum}`;
      if (schema.multipleOf !== undefined) text += `, a multiple of ${schema.multipleOf}`;
      return text;
    }
    case "string":
      return schema.description ?? (schema.minLength ? "a non-empty string" : "a string");
    case "boolean":
      return "true or false";
    case "array": {
      const items = schema.items ? describeSchema(schema.items) : "values";
      const atLeast = schema.minItems ? `at least ${schema.minItems} ` : "";
      return `a list of ${atLeast}${items.replace(/^an? /, "")}${schema.uniqueItems ? " without repeats" : ""}`;
    }
    case "object": {
      const keys = listKeys && schema.required?.length ? ` with ${schema.required.join(", ")}` : "";
      return (schema.description ? `a mapping (${schema.description})` : "a mapping") + keys;
    }
    default:
      return schema.description ?? "a value";
  }
}

export function describeFound(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return value.length === 0 ? "an empty list" : `a list of ${value.length}`;
  if (typeof value === "object") return "a mapping";
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}..."` : text;
}


/** The values of a closed set: an `enum`, or a union of literals (TypeBox's `Type.Union` of `Type.Literal`s). */
export function closedSet(schema: SchemaLike): unknown[] | undefined {
  if (schema.enum) return schema.enum;
  if (schema.anyOf?.length && schema.anyOf.every((branch) => "const" in branch)) return schema.anyOf.map((branch) => branch.const);
  return undefined;
}
