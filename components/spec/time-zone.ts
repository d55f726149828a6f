// IANA time zones, checked against the zone database Node carries (ICU's copy of tzdata): the canonical
// names of Intl.supportedValuesOf("timeZone") and the links (aliases such as Europe/Kiev or US/Eastern) that
// Intl.DateTimeFormat accepts. Intl matches names case-insensitively, Debian's /usr/share/zoneinfo does
// not: a name is accepted only as spelt in the database. The test cross-checks the list against tzdata.
import { closestWord } from "../input/did-you-mean";

const canonical = new Set(Intl.supportedValuesOf("timeZone"));
const canonicalByLowerCase = new Map([...canonical].map((z) => [z.toLowerCase(), z]));

function intlAccepts(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** The reason a name is not an IANA time zone (with a did-you-mean), or undefined when it is one. */
export function timeZoneProblem(name: string): string | undefined {
  if (canonical.has(name)) return undefined;
  const sameButCase = canonicalByLowerCase.get(name.toLowerCase());
  // Every segment of a zone's name starts with an upper-case letter (Europe/Tallinn, Etc/GMT+5, EST5EDT).
  const spelt = name.split("/").every((segment) => /^[A-Z]/.test(segment));
  if (!sameButCase && spelt && intlAccepts(name)) return undefined;
  const suggestion = sameButCase ?? closestWord(name, [...canonical]);
  return `expected an IANA time zone such as Europe/Tallinn, found "${name}"${suggestion ? `; did you mean "${suggestion}"?` : ""}`;
}
