import { UnsafeStateError } from "../engine/errors";
import { childrenNamed as childrenOf, parseXml, type XmlElement } from "../../components/storage/cib-xml";

export type { XmlElement };

/**
 * Reads the XML that Pacemaker's tools print (crm_mon --output-as=xml, cibadmin --query) with the toolkit's one
 * reader of Pacemaker's XML (components/storage/cib-xml.ts: no entity definitions, nothing malformed). The
 * answer comes from a host: a state that cannot be read is not one a runbook may act on.
 */
export function readXml(text: string, where: string): XmlElement {
  try {
    return parseXml(text);
  } catch (err) {
    throw new UnsafeStateError(`${where}: expected XML, found ${(err as Error).message.replace(/^XML: /, "")}`);
  }
}

/** The children of `element` named `name`; none of an element that is not there. */
export function childrenNamed(element: XmlElement | undefined, name: string): XmlElement[] {
  return element ? childrenOf(element, name) : [];
}

export function childNamed(element: XmlElement | undefined, name: string): XmlElement | undefined {
  return childrenNamed(element, name)[0];
}
