// The Debian release and the cloud image must agree: the image's file name and URL must say the release
// (by number, "debian-12", or by code name, "bookworm"), never another one, and the checksum must have the
// length of its algorithm. An image that names no release cannot be checked, so it is refused.
import type { PlatformSpec } from "./schema";
import type { FieldProblem } from "./errors";

export const DEBIAN_CODENAMES = { 10: "buster", 11: "bullseye", 12: "bookworm", 13: "trixie" } as const;
type Release = keyof typeof DEBIAN_CODENAMES;

const DIGEST_HEX_DIGITS = { sha256: 64, sha512: 128 } as const;

const describeRelease = (r: Release): string => `Debian ${r} (${DEBIAN_CODENAMES[r]})`;

/** The releases a file name or URL names: "debian-12" / "debian12" or a code name as a word. */
export function releasesNamed(text: string): Release[] {
  const lower = text.toLowerCase();
  return (Object.keys(DEBIAN_CODENAMES).map(Number) as Release[]).filter(
    (r) => new RegExp(`(^|[^a-z0-9])debian-?${r}([^0-9]|$)`).test(lower) || new RegExp(`(^|[^a-z])${DEBIAN_CODENAMES[r]}([^a-z]|$)`).test(lower),
  );
}

export function debianImageProblems(spec: PlatformSpec): FieldProblem[] {
  const { release, image } = spec.debian;
  const problems: FieldProblem[] = [];
  for (const field of ["fileName", "url"] as const) {
    const named = releasesNamed(image[field]);
    const others = named.filter((r) => r !== release);
    const path = ["debian", "image", field];
    if (others.length) {
      problems.push({ path, detail: `expected an image of ${describeRelease(release)} as in debian.release, found "${image[field]}", which names ${others.map(describeRelease).join(" and ")}` });
    } else if (!named.length) {
      problems.push({ path, detail: `expected a ${field === "url" ? "URL" : "file name"} that says its release (debian-${release} or ${DEBIAN_CODENAMES[release]}), found "${image[field]}"` });
    }
  }
  const digits = DIGEST_HEX_DIGITS[image.checksumAlgorithm];
  if (image.checksum.length !== digits) {
    problems.push({ path: ["debian", "image", "checksum"], detail: `expected a ${image.checksumAlgorithm} digest of ${digits} hex digits (debian.image.checksumAlgorithm), found ${image.checksum.length} hex digits` });
  }
  return problems;
}
