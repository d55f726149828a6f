import type { ObjectStoreSpec } from "../spec/schema";

type Replication = NonNullable<ObjectStoreSpec["replication"]>;

const ENDPOINT = /^https:\/\/([^:/]+)(?::([0-9]+))?$/;
const IPV4 = /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/;

/** The host and port of the third site's S3 endpoint (443 when the URL names none). */
export function replicationEndpoint(replication: Replication): { host: string; port: number } {
  const match = ENDPOINT.exec(replication.endpoint);
  return { host: match?.[1] ?? "", port: Number(match?.[2] ?? 443) };
}

/** The address the firewall opens replication to: the spec's `address`, else the endpoint's own IPv4 host. */
export function replicationTargetAddress(replication: Replication): string {
  const { host } = replicationEndpoint(replication);
  return replication.address ?? (IPV4.test(host) ? host : "");
}
