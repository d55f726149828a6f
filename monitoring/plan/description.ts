/** What a service_description may hold: Nagios forbids few characters, the toolkit keeps to these. */
export const DESCRIPTION_PATTERN = /^[A-Za-z0-9 ._-]+$/;

/** A check's description from names in the model: any other character becomes `-`. */
export function description(text: string): string {
  const cleaned = text.replace(/[^A-Za-z0-9 ._-]/g, "-").trim();
  if (!cleaned) throw new Error(`monitoring plan: ${JSON.stringify(text)} makes an empty check description`);
  return cleaned;
}
