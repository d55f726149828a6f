import { isMap, isScalar, type Document, type LineCounter, type Node as YamlNode } from "yaml";
import type { FieldPath, SourcePosition } from "./input-error";

/** Line and column of a field (or of its key) in the YAML source, or of its nearest existing parent. */
export function positionOf(doc: Document, lineCounter: LineCounter, fieldPath: FieldPath, atKey = false): SourcePosition | undefined {
  for (let depth = fieldPath.length; depth > 0; depth--) {
    const parentPath = fieldPath.slice(0, depth - 1);
    const last = fieldPath[depth - 1];
    const parent = parentPath.length ? doc.getIn(parentPath, true) : doc.contents;
    let target: YamlNode | undefined;
    if (isMap(parent)) {
      const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === last);
      if (pair) target = (atKey && depth === fieldPath.length ? pair.key : pair.value ?? pair.key) as YamlNode;
    } else if (parent && typeof last === "number") {
      target = doc.getIn([...parentPath, last], true) as YamlNode | undefined;
    }
    if (target?.range) {
      const { line, col } = lineCounter.linePos(target.range[0]);
      return { line, column: col };
    }
  }
  return undefined;
}

/** An ajv instance path (JSON pointer, `/a/0/b`) as a field path (`["a", 0, "b"]`). */
export function pointerToPath(pointer: string): FieldPath {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split("/")
    .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}
