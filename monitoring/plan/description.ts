/** What a service_description may hold: Nagios forbids few characters, the toolkit keeps to these. */
export const DESCRIPTION_PATTERN = /^[A-Za-z0-9 ._-]+$/;

/** A check's description from names in the model: any other character becomes `-`. */
export function description(text: string): string {
  const cleaned = text.replace(/[^A-Za-z0-9 ._-]/g, "-").trim();
  if (!cleaned) throw new Error(`monitoring plan: ${JSON.stringify(text)} makes an empty check description`);
  return cleaned;
}

/**
 * Descriptions that name an instance (`DRBD ibac-s3`, `certificate s3.example.org port 9000`, `Bacula job
 * db-1-fd`, `MariaDB port 3306`) and the kind of check they are, for a report that folds them into one column.
 */
const INSTANCE_KINDS: readonly [RegExp, string][] = [
  [/^certificate /, "certificate"],
  [/^Bacula job /, "Bacula job"],
  [/^DRBD /, "DRBD"],
  [/^VRRP /, "VRRP"],
  [/^IPsec /, "IPsec"],
  [/ port \d+$/, "service port"],
];

/** The kind of check a description names: the description itself unless it names an instance. */
export function checkKind(description: string): string {
  return INSTANCE_KINDS.find(([pattern]) => pattern.test(description))?.[1] ?? description;
}
