// A small, strict reader of the XML Pacemaker writes and reads (the CIB, crm_simulate's transition graphs):
// elements, attributes and the five predefined entities. No DTD is read (a DOCTYPE line is skipped), no namespaces, no text content is kept
// (Pacemaker keeps everything in attributes). Anything else is refused rather than guessed at.

export interface XmlElement {
  name: string;
  attributes: Readonly<Record<string, string>>;
  children: XmlElement[];
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decode(text: string, at: number): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);|&/g, (whole, entity: string | undefined) => {
    if (entity === undefined) throw new Error(`XML: a bare & at offset ${at}`);
    if (entity.startsWith("#x")) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith("#")) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    const value = ENTITIES[entity];
    if (value === undefined) throw new Error(`XML: unknown entity ${whole} at offset ${at}`);
    return value;
  });
}

const NAME = "[A-Za-z_][A-Za-z0-9_.:-]*";
const TAG = new RegExp(`^<(/?)(${NAME})((?:\\s+${NAME}\\s*=\\s*(?:"[^"<]*"|'[^'<]*'))*)\\s*(/?)>`);
const ATTRIBUTE = new RegExp(`(${NAME})\\s*=\\s*(?:"([^"<]*)"|'([^'<]*)')`, "g");

/** Parses one document; throws on anything malformed (unclosed or mismatched tags, bad entities, text around the root). */
export function parseXml(text: string): XmlElement {
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let i = 0;
  while (i < text.length) {
    const lt = text.indexOf("<", i);
    const between = text.slice(i, lt < 0 ? text.length : lt);
    if (between.trim() !== "" && stack.length === 0) throw new Error(`XML: text outside the root element at offset ${i}`);
    if (lt < 0) break;
    if (text.startsWith("<?", lt)) {
      const end = text.indexOf("?>", lt);
      if (end < 0 || root || stack.length) throw new Error(`XML: a misplaced processing instruction at offset ${lt}`);
      i = end + 2;
      continue;
    }
    if (text.startsWith("<!DOCTYPE", lt)) {
      // Agents' metadata names its DTD; an internal subset (entity definitions) is refused.
      const end = text.indexOf(">", lt);
      if (end < 0 || root || stack.length || text.slice(lt, end).includes("[")) throw new Error(`XML: a misplaced or unsupported DOCTYPE at offset ${lt}`);
      i = end + 1;
      continue;
    }
    if (text.startsWith("<![CDATA[", lt)) {
      // Text, which is not kept; agents' metadata has some in its descriptions.
      const end = text.indexOf("]]>", lt);
      if (end < 0 || stack.length === 0) throw new Error(`XML: an unclosed or misplaced CDATA section at offset ${lt}`);
      i = end + 3;
      continue;
    }
    if (text.startsWith("<!--", lt)) {
      const end = text.indexOf("-->", lt);
      if (end < 0) throw new Error(`XML: an unclosed comment at offset ${lt}`);
      i = end + 3;
      continue;
    }
    const m = TAG.exec(text.slice(lt));
    if (!m) throw new Error(`XML: a malformed tag at offset ${lt}`);
    const [whole, closing, name, attributeText, selfClosing] = m;
    if (closing) {
      const open = stack.pop();
      if (!open || open.name !== name || attributeText.trim() !== "" || selfClosing) throw new Error(`XML: </${name}> does not close ${open ? `<${open.name}>` : "anything"} at offset ${lt}`);
    } else {
      if (root && stack.length === 0) throw new Error(`XML: a second root element <${name}> at offset ${lt}`);
      const attributes: Record<string, string> = {};
      for (const a of attributeText.matchAll(ATTRIBUTE)) {
        if (a[1] in attributes) throw new Error(`XML: attribute ${a[1]} twice on <${name}> at offset ${lt}`);
        attributes[a[1]] = decode(a[2] ?? a[3] ?? "", lt);
      }
      const element: XmlElement = { name, attributes, children: [] };
      if (stack.length) stack[stack.length - 1].children.push(element);
      else root = element;
      if (!selfClosing) stack.push(element);
    }
    i = lt + whole.length;
  }
  if (stack.length) throw new Error(`XML: <${stack[stack.length - 1].name}> is never closed`);
  if (!root) throw new Error("XML: no root element");
  return root;
}

/** Every element below `element` (depth first, document order) named `name`. */
export function descendants(element: XmlElement, name: string): XmlElement[] {
  const found: XmlElement[] = [];
  const walk = (e: XmlElement): void => {
    for (const c of e.children) {
      if (c.name === name) found.push(c);
      walk(c);
    }
  };
  walk(element);
  return found;
}

/** The direct children of `element` named `name`. */
export function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((c) => c.name === name);
}

/** The name/value pairs of an nvset element (instance_attributes, meta_attributes, cluster_property_set). */
export function nvpairs(set: XmlElement | undefined): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const p of set ? childrenNamed(set, "nvpair") : []) {
    if (p.attributes.name !== undefined) pairs[p.attributes.name] = p.attributes.value ?? "";
  }
  return pairs;
}
