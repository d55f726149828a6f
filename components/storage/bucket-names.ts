// S3's bucket naming rules beyond what the schema's pattern holds (AWS's "general purpose bucket naming rules",
// which MinIO follows): a name that breaks one is refused by the server at `pulumi up`, far from the spec line.

const IPV4_FORM = /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/;

/** Why `name` is no S3 bucket name (the pattern already holds), or undefined when it is one. */
export function bucketNameProblem(name: string): string | undefined {
  if (IPV4_FORM.test(name)) return "a bucket name must not look like an IP address";
  if (name.includes("..")) return "a bucket name must not hold two adjacent periods";
  if (name.includes(".-") || name.includes("-.")) return "a bucket name must not hold a period next to a hyphen";
  if (name.startsWith("xn--")) return "a bucket name must not start with xn-- (reserved for internationalised names)";
  if (name.startsWith("sthree-")) return "a bucket name must not start with sthree- (reserved)";
  if (name.endsWith("-s3alias") || name.endsWith("--ol-s3")) return "a bucket name must not end with -s3alias or --ol-s3 (reserved for access points)";
  return undefined;
}
