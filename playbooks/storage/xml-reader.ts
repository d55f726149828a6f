import { UnsafeStateError } from "../engine/errors";

/** One element of a small XML document: its name, attributes and child elements (text is not kept). */
export interface XmlElement {
  name: string;
  attributes: Readonly<Record<string, string>>;
  children: XmlElement[];
}

const ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

function decode(text: string, where: string): string {
  return text.replace(/&(#x[0-9A-Fa-f]{1,6}|#[0-9]{1,7}|[a-z]+);/g, (_, ref: string) => {
    if (ref.startsWith("#x")) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith("#")) return String.fromCodePoint(parseInt(ref.slice(1), 10));
    const known = ENTITIES[ref];
    if (known === undefined) throw new UnsafeStateError(`${where}: expected XML, found the unknown entity &${ref};`);
    return known;
  });
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.:-]*/;
const ATTRIBUTE = /^\s+([A-Za-z_][A-Za-z0-9_.:-]*)\s*=\s*("([^"<]*)"|'([^'<]*)')/;

/**
 * Reads the XML that Pacemaker's tools print (crm_mon --output-as=xml, cibadmin --query): elements and
 * attributes, comments and the declaration skipped, text dropped. A document type declaration is refused
 * rather than expanded (its entities could make a small answer huge), as is anything malformed: the answer
 * comes from a host, and a state that cannot be read is not one a runbook may act on.
 */
export function readXml(text: string, where: string): XmlElement {
  let i = 0;
  const fail = (what: string): never => {
    const line = text.slice(0, i).split("\n").length;
    throw new UnsafeStateError(`${where}: expected XML, found ${what} at line ${line}`);
  };
  const root: XmlElement = { name: "#document", attributes: {}, children: [] };
  const open: XmlElement[] = [root];
  while (i < text.length) {
    const lt = text.indexOf("<", i);
    if (lt < 0) break;
    i = lt;
    if (text.startsWith("<!--", i)) {
      const end = text.indexOf("-->", i + 4);
      if (end < 0) fail("an unterminated comment");
      i = end + 3;
    } else if (text.startsWith("<?", i)) {
      const end = text.indexOf("?>", i + 2);
      if (end < 0) fail("an unterminated declaration");
      i = end + 2;
    } else if (text.startsWith("<![CDATA[", i)) {
      const end = text.indexOf("]]>", i);
      if (end < 0) fail("an unterminated CDATA section");
      i = end + 3;
    } else if (text.startsWith("<!", i)) {
      fail("a document type declaration");
    } else if (text.startsWith("</", i)) {
      const name = NAME.exec(text.slice(i + 2))?.[0];
      const current = open[open.length - 1];
      if (!name || open.length === 1 || current.name !== name) fail(`a closing tag </${name ?? ""}> that closes nothing open`);
      i += 2 + (name ?? "").length;
      const close = /^\s*>/.exec(text.slice(i));
      if (!close) fail(`a malformed closing tag </${name ?? ""}`);
      i += close?.[0].length ?? 0;
      open.pop();
    } else {
      const name = NAME.exec(text.slice(i + 1))?.[0];
      if (!name) fail("a malformed tag");
      i += 1 + (name ?? "").length;
      const attributes: Record<string, string> = {};
      for (;;) {
        const m = ATTRIBUTE.exec(text.slice(i));
        if (!m) break;
        if (Object.hasOwn(attributes, m[1])) fail(`the attribute ${m[1]} twice`);
        attributes[m[1]] = decode(m[3] ?? m[4] ?? "", where);
        i += m[0].length;
      }
      const end = /^\s*(\/?)>/.exec(text.slice(i));
      if (!end) fail(`a malformed tag <${name ?? ""}`);
      i += end?.[0].length ?? 0;
      const element: XmlElement = { name: name ?? "", attributes, children: [] };
      open[open.length - 1].children.push(element);
      if (end?.[1] !== "/") open.push(element);
    }
  }
  if (open.length > 1) fail(`<${open[open.length - 1].name}> never closed`);
  if (root.children.length !== 1) fail(root.children.length ? "more than one root element" : "no element");
  return root.children[0];
}

/** The child elements called `name`. */
export function childrenNamed(element: XmlElement | undefined, name: string): XmlElement[] {
  return element ? element.children.filter((c) => c.name === name) : [];
}

/** The first child element called `name`. */
export function childNamed(element: XmlElement | undefined, name: string): XmlElement | undefined {
  return element?.children.find((c) => c.name === name);
}
