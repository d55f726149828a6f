// The platform spec: the value of the `ibac:platform` key in stacks/Pulumi.<stack>.yaml.
// One JSON Schema (built with TypeBox so the TypeScript type is derived from it, never written twice),
// validated by ajv in load.ts. Every object is closed: an unknown key is an error, not a silent no-op.
import { Type, type Static, type TObject, type TProperties, type ObjectOptions, type TUnsafe } from "@sinclair/typebox";
import { SSH_HOST_KEY_DESCRIPTION, SSH_HOST_KEY_PATTERN } from "./ssh-host-key";

function closed<T extends TProperties>(properties: T, options: ObjectOptions = {}): TObject<T> {
  return Type.Object(properties, { additionalProperties: false, ...options });
}

/** A closed set of values, as one JSON Schema `enum` so that a bad value gets one error naming every choice. */
function oneOf<const T extends readonly (string | number)[]>(values: T, description?: string): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ enum: [...values], ...(description ? { description } : {}) });
}

const ipv4Pattern = "^((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])$";

/** A DNS host name (the last label starts with a letter, so 999.1.1.1 is not one) or an IPv4 address; no pattern anchors. */
const hostOrIpv4Pattern = `(${ipv4Pattern.slice(1, -1)}|([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)*[a-z]([a-z0-9-]{0,61}[a-z0-9])?)`;
const portPattern = "(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3})";

/** A file to download: http(s), a host, and plain path segments (its digest, not its transport, vouches for it). */
const ARTIFACT_URL_PATTERN = `^https?://${hostOrIpv4Pattern}(:${portPattern})?(/[A-Za-z0-9._~%+-]+)+$`;
const ArtifactUrl = Type.String({ pattern: ARTIFACT_URL_PATTERN, description: "the binary's URL such as https://artifacts.example.org/minio/minio.RELEASE.2025-09-07T16-13-09Z" });

export const Ipv4Address = Type.String({ pattern: ipv4Pattern, description: "an IPv4 address such as 10.20.0.11" });
export const Ipv4Cidr = Type.String({
  pattern: ipv4Pattern.slice(0, -1) + "/(3[0-2]|[12]?[0-9])$",
  description: "an IPv4 CIDR such as 10.20.0.0/24",
});
const Hostname = Type.String({
  pattern: "^[a-z][a-z0-9-]{0,62}$",
  description: "a host name: lower-case letters, digits and '-', starting with a letter",
});
/** The host key every deployment SSH connection to the host is pinned to (the key data is checked in ssh-host-key.ts). */
const SshHostKey = Type.String({ pattern: SSH_HOST_KEY_PATTERN, description: SSH_HOST_KEY_DESCRIPTION });
const StorageId = Type.String({ pattern: "^[a-zA-Z][a-zA-Z0-9._-]*$", description: "a Proxmox storage id such as local-zfs" });

export const VmSize = closed(
  {
    cores: Type.Integer({ minimum: 1, maximum: 128, description: "virtual CPUs" }),
    memoryGiB: Type.Integer({ minimum: 1, maximum: 2048 }),
    diskGiB: Type.Integer({ minimum: 8, maximum: 65536, description: "system disk" }),
  },
  { description: "the size of each VM of the tier" },
);

const tierNodes = Type.Optional(
  Type.Array(Hostname, { minItems: 1, uniqueItems: true, description: "restrict the tier to these Proxmox nodes (names)" }),
);
const count = Type.Integer({ minimum: 1, maximum: 99, description: "how many VMs run the tier" });
const dataDiskGiB = Type.Integer({ minimum: 1, maximum: 1048576, description: "the data disk of each VM" });

export const DatabaseReplication = closed(
  {
    semiSync: Type.Optional(
      closed({
        enabled: Type.Boolean({ description: "semi-synchronous replication (on by default)" }),
        waitPoint: Type.Optional(oneOf(["AFTER_SYNC", "AFTER_COMMIT"] as const, "when the primary waits for the replica's ack")),
        timeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 3600000, description: "how long a commit waits for an ack before falling back to asynchronous" })),
      }),
    ),
    maxLagSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 86400, description: "replica lag beyond which runbooks refuse to promote or switch over" })),
  },
  { description: "replication settings; every key has a default" },
);

export const DatabaseTier = closed({
  vm: VmSize,
  replicas: Type.Integer({ minimum: 1, description: "read-only replicas besides the primary" }),
  dataDiskGiB,
  nodes: tierNodes,
  primary: Type.Optional(Type.String({ pattern: "^db-[1-9][0-9]?$", description: "the VM that is the primary, e.g. db-1 (the default); set it after a failover" })),
  replication: Type.Optional(DatabaseReplication),
});
const EmailAddress = Type.String({ pattern: "^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@([a-z0-9]([a-z0-9-]*[a-z0-9])?\\.)+[a-z]{2,}$", maxLength: 254, description: "an e-mail address" });
export const CountedTier = closed({ vm: VmSize, count, nodes: tierNodes });

/** The monitoring engines the toolkit renders for, from the same checks (monitoring/plan). */
export const MONITORING_ENGINES = ["nagios4", "shinken"] as const;
export type MonitoringEngine = (typeof MONITORING_ENGINES)[number];
const Seconds = (minimum: number, description: string) => Type.Integer({ minimum, maximum: 3600, description });
export const MonitoringTier = closed({
  vm: VmSize,
  count,
  nodes: tierNodes,
  engine: oneOf(
    MONITORING_ENGINES,
    "nagios4 (Debian's Nagios 4.4: an active engine on the first monitoring VM and a standby on the second) or shinken (Shinken 2.4 objects and daemons with spares, for a site that installs Shinken itself)",
  ),
  checks: closed(
    {
      intervalSeconds: Seconds(5, "how often every check runs while its state is OK"),
      retryIntervalSeconds: Seconds(1, "how often a failing check is retried before its state is hard"),
      attempts: Type.Integer({ minimum: 1, maximum: 10, description: "failed checks in a row that make a problem hard, which is when it notifies" }),
    },
    { description: "the check timing of every host and service: a problem notifies within intervalSeconds + (attempts - 1) x retryIntervalSeconds" },
  ),
  certificateExpiry: Type.Optional(
    closed(
      {
        warnDays: Type.Integer({ minimum: 1, maximum: 365, description: "days before a TLS certificate expires that its check warns" }),
        criticalDays: Type.Integer({ minimum: 1, maximum: 365, description: "days before it expires that the check is critical" }),
      },
      { description: "certificate expiry thresholds of every TLS endpoint (default 30 and 14 days)" },
    ),
  ),
});
export const VpnTier = closed({
  vm: VmSize,
  count,
  nodes: tierNodes,
  siteTunnel: closed(
    {
      peerAddress: Ipv4Address,
      peerId: Type.String({ pattern: "^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$", description: "the remote gateway's IKE identity (its certificate's DNS name)" }),
      remoteSubnets: Type.Array(Ipv4Cidr, { minItems: 1, uniqueItems: true, description: "the monitoring/statistics site's networks reached through the tunnel" }),
    },
    { description: "the IPsec tunnel to the monitoring and statistics site" },
  ),
});
export const TierWithData = closed({ vm: VmSize, count, dataDiskGiB, nodes: tierNodes });

/** What each bucket of the object store holds: the tiers' access to it follows from this (storage/bucket-access.ts). */
export const BUCKET_PURPOSES = ["photos", "frsArchive", "logs", "audit"] as const;
export type BucketPurpose = (typeof BUCKET_PURPOSES)[number];
// S3's naming rules that a pattern can hold; the rest (no IP form, no "..", reserved prefixes) are in storage/bucket-names.ts.
const BucketName = Type.String({ pattern: "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", description: "an S3 bucket name: 3 to 63 lower-case letters, digits, '.' and '-'" });
const Days = (description: string) => Type.Integer({ minimum: 1, maximum: 36500, description });

export const ObjectStoreTier = closed({
  vm: VmSize,
  count: Type.Integer({ minimum: 1, maximum: 99, description: "how many VMs run the tier: 2, the DRBD peers" }),
  dataDiskGiB,
  nodes: tierNodes,
  minio: closed(
    {
      url: ArtifactUrl,
      sha256: Type.String({ pattern: "^[0-9a-f]{64}$", description: "the binary's hex SHA-256 digest" }),
      release: Type.String({ pattern: "^RELEASE\\.[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}-[0-9]{2}-[0-9]{2}Z$", description: "the MinIO release the binary is, such as RELEASE.2025-09-07T16-13-09Z" }),
    },
    { description: "the MinIO server binary, supplied by the operator (MinIO publishes no community binaries) and pinned by digest" },
  ),
  minioClient: closed(
    {
      url: ArtifactUrl,
      sha256: Type.String({ pattern: "^[0-9a-f]{64}$", description: "the binary's hex SHA-256 digest" }),
      release: Type.String({ pattern: "^RELEASE\\.[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}-[0-9]{2}-[0-9]{2}Z$", description: "the mc release the binary is, such as RELEASE.2025-08-13T08-35-41Z (March 2024 or later)" }),
    },
    { description: "the MinIO client (mc) that sets Object Lock's default retention and the replication, pinned by digest" },
  ),
  buckets: Type.Array(
    closed({
      name: BucketName,
      purpose: oneOf(BUCKET_PURPOSES, "what the bucket holds: photos, frsArchive (FRS data after its local retention), logs or audit"),
      objectLock: Type.Optional(
        closed({
          mode: oneOf(["GOVERNANCE", "COMPLIANCE"] as const, "COMPLIANCE: nobody, root included, can shorten or lift it; GOVERNANCE: a privileged user can"),
          days: Days("how long each object version is kept unalterable"),
        }),
      ),
      expireAfterDays: Type.Optional(Days("lifecycle: current objects expire (become noncurrent) after this many days")),
      noncurrentExpireAfterDays: Type.Optional(Days("lifecycle: noncurrent versions are deleted after this many days")),
    }),
    { minItems: 1, description: "one bucket per purpose; versioning is always on" },
  ),
  fencing: closed(
    {
      ipmi: Type.Array(
        closed({
          node: Hostname,
          address: Ipv4Address,
          user: Type.String({ pattern: "^[A-Za-z0-9._-]{1,16}$", description: "an IPMI user name (16 characters at most)" }),
        }),
        { minItems: 1, description: "the BMC of each Proxmox node a storage VM runs on: the second fencing level powers the node off" },
      ),
    },
    { description: "how Pacemaker fences a storage VM: fence_pve first (a Proxmox user the stack creates), then the node's BMC" },
  ),
  replication: Type.Optional(
    closed(
      {
        endpoint: Type.String({ pattern: `^https://${hostOrIpv4Pattern}(:${portPattern})?$`, description: "the third site's S3 endpoint such as https://s3.dr.example.org:9000" }),
        address: Type.Optional(Ipv4Address),
        buckets: Type.Array(closed({ source: BucketName, target: BucketName }), { minItems: 1, description: "which local bucket goes to which bucket at the third site" }),
      },
      { description: "bucket replication to a third location provided by the customer; its keys are the Pulumi secrets ibac:replicationAccessKey and ibac:replicationSecretKey" },
    ),
  ),
});
const Sha256Digest = Type.String({ pattern: "^[0-9a-f]{64}$", description: "the file's hex SHA-256 digest" });

/**
 * The operator's application (the toolkit deploys it, it does not write it), pinned: either a self-contained
 * executable by `url` + `sha256`, or a Debian package from the site's repository by `package` + `version` with
 * the `executable` it installs. Which of the two is checked in app-service/spec-checks.ts (one message for both).
 */
export const ServiceArtifact = closed(
  {
    url: Type.Optional(ArtifactUrl),
    sha256: Type.Optional(Sha256Digest),
    package: Type.Optional(Type.String({ pattern: "^[a-z0-9][a-z0-9+.-]+$", maxLength: 100, description: "a Debian package name such as ibac-api" })),
    version: Type.Optional(Type.String({ pattern: "^([0-9]+:)?[0-9][A-Za-z0-9.+~-]*$", maxLength: 100, description: "the package's exact Debian version such as 1.4.2-1" })),
    executable: Type.Optional(Type.String({ pattern: "^(/(?!\\.\\.?(/|$))[A-Za-z0-9._+-]+)+$", maxLength: 200, description: "the absolute path of the program the package installs, such as /usr/bin/ibac-api" })),
  },
  { description: "the application, pinned: { url, sha256 } (an executable) or { package, version, executable } (a Debian package)" },
);

/** What the toolkit needs to run one of the operator's HTTPS services (the API, FRS). */
const applicationService = {
  artifact: ServiceArtifact,
  port: Type.Integer({ minimum: 1024, maximum: 65535, description: "the TCP port the service serves HTTPS on (it gets its certificate from the internal CA)" }),
  healthPath: Type.String({ pattern: "^/[A-Za-z0-9._~/-]*$", maxLength: 200, description: "the path that answers 200 when the instance can serve, such as /healthz" }),
  environment: Type.Optional(
    Type.Record(
      Type.String({ pattern: "^[A-Z][A-Z0-9_]{0,63}$" }),
      Type.String({ pattern: "^[A-Za-z0-9 ._:/,=@+%-]{0,500}$", description: "a value of letters, digits, spaces and ._:/,=@+%-" }),
      { description: "the service's own settings (not secrets): names in upper case; IBAC_* are the toolkit's", additionalProperties: false },
    ),
  ),
};

export const FrsTier = closed({
  vm: VmSize,
  count,
  dataDiskGiB,
  localRetentionDays: Type.Integer({ minimum: 1, maximum: 365, description: "days FRS keeps processed data locally before it is archived to the object store" }),
  nodes: tierNodes,
  ...applicationService,
});
export const ApiTier = closed({ vm: VmSize, count, nodes: tierNodes, ...applicationService });

const DnsName = Type.String({ pattern: "^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", maxLength: 253, description: "a DNS name such as api.ibac.example.ee" });
export const LoadBalancerTier = closed({
  vm: VmSize,
  count,
  nodes: tierNodes,
  publicNames: Type.Array(DnsName, { minItems: 1, maxItems: 20, uniqueItems: true, description: "the names the iBac app calls the API by: the front certificate's names" }),
  healthCheck: closed(
    {
      intervalMs: Type.Integer({ minimum: 100, maximum: 60000, description: "how often HAProxy asks each API instance's health path" }),
      timeoutMs: Type.Integer({ minimum: 50, maximum: 60000, description: "how long one health check may take" }),
      fall: Type.Integer({ minimum: 1, maximum: 10, description: "failed checks in a row that take an instance out of rotation" }),
      rise: Type.Integer({ minimum: 1, maximum: 10, description: "passed checks in a row that put it back" }),
    },
    { description: "HAProxy's checks of the API instances: an instance is out after about intervalMs x fall" },
  ),
  vrrp: closed(
    {
      advertIntervalMs: Type.Integer({ minimum: 10, maximum: 40950, multipleOf: 10, description: "VRRPv3 advertisement interval in ms (centiseconds on the wire): a dead holder's address moves after about 3 x this" }),
    },
    { description: "keepalived's timing for every virtual address on the service network (the API's and the database primary's)" },
  ),
});

export const ProxmoxNode = closed({
  name: Hostname,
  address: Ipv4Address,
  sshHostKey: SshHostKey,
  cpu: closed({
    sockets: Type.Integer({ minimum: 1, maximum: 8 }),
    coresPerSocket: Type.Integer({ minimum: 1, maximum: 256 }),
    threadsPerCore: Type.Integer({ minimum: 1, maximum: 2 }),
  }),
  memoryGiB: Type.Integer({ minimum: 8, maximum: 65536 }),
  disks: closed({
    count: Type.Integer({ minimum: 1, maximum: 128 }),
    sizeGB: Type.Integer({ minimum: 1, description: "size of each disk in GB (10^9 bytes), as sold" }),
    kind: oneOf(["ssd", "hdd"] as const),
    layout: oneOf(["raid10", "raidz2", "mirror"] as const, "the ZFS layout of the VM pool"),
  }),
  storage: closed({ vmDisks: StorageId }),
});

export const Network = closed({
  cidr: Ipv4Cidr,
  gateway: Type.Optional(Ipv4Address),
  bridge: Type.Optional(Type.String({ pattern: "^vmbr[0-9]+$", description: "a Proxmox bridge such as vmbr0" })),
  vlan: Type.Optional(Type.Integer({ minimum: 1, maximum: 4094 })),
});

const TlsVersion = oneOf(["1.0", "1.1", "1.2", "1.3"] as const);

export const PlatformSpec = closed({
  site: closed({
    name: Hostname,
    domain: Type.String({ pattern: "^([a-z0-9-]+\\.)+[a-z]{2,}$", description: "a DNS domain such as ibac.example.ee" }),
    // The zone database decides (time-zone.ts); the pattern only keeps out what no zone name has.
    timeZone: Type.String({ pattern: "^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$", description: "an IANA time zone such as Europe/Tallinn" }),
    dnsServers: Type.Array(Ipv4Address, { minItems: 1, maxItems: 3, uniqueItems: true }),
    ntpServers: Type.Array(Ipv4Address, { minItems: 1, uniqueItems: true }),
  }),
  proxmox: closed({
    version: oneOf([6, 7, 8, 9] as const, "the Proxmox VE major version (8 or 9 are supported; older ones are flagged by policy)"),
    endpoint: Type.String({ pattern: `^https://${hostOrIpv4Pattern}(:${portPattern})?/?$`, description: "the API URL such as https://10.20.0.11:8006/" }),
    insecure: Type.Boolean({ description: "skip TLS verification of the API (never in production)" }),
    nodes: Type.Array(ProxmoxNode, { minItems: 1, maxItems: 128 }),
    qdevice: Type.Optional(closed({ name: Hostname, address: Ipv4Address, sshHostKey: SshHostKey })),
    hypervisorReserve: closed({
      cores: Type.Integer({ minimum: 0 }),
      memoryGiB: Type.Integer({ minimum: 0 }),
    }),
    snippetStorage: closed({
      id: StorageId,
      // It reaches the nodes' storage.cfg and SSH commands: plain path segments only, no "." or "..".
      path: Type.String({ pattern: "^(/(?!\\.\\.?(/|$))[A-Za-z0-9._-]+)+$", description: "an absolute path on every node such as /var/lib/ibac-files" }),
    }),
    vmIdBase: Type.Integer({ minimum: 100, maximum: 999_000_000, multipleOf: 100 }),
    // Proxmox's calendar-event grammar is checked by calendar-event.ts; the pattern keeps it to one printable line.
    replicationSchedule: Type.String({ pattern: "^[ -~]+$", description: "a Proxmox calendar event such as */15 or mon..fri 8..18:00/30" }),
  }),
  networks: closed({
    management: Network,
    cluster: Network,
    service: Network,
    storage: Network,
    admin: Network,
    vpnClients: Network,
  }),
  debian: closed({
    release: oneOf([10, 11, 12, 13] as const, "the Debian major release (12 or 13 are supported; older ones are flagged by policy)"),
    image: closed({
      url: Type.String({
        pattern: ARTIFACT_URL_PATTERN,
        description: "the image's URL such as https://cloud.debian.org/images/cloud/bookworm/latest/debian-12-genericcloud-amd64.qcow2",
      }),
      fileName: Type.String({ pattern: "^[A-Za-z0-9._-]+\\.(qcow2|raw|img)$" }),
      checksum: Type.String({ pattern: "^[0-9a-f]{64}([0-9a-f]{64})?$", description: "a hex SHA-256 or SHA-512 digest" }),
      checksumAlgorithm: oneOf(["sha256", "sha512"] as const),
    }),
  }),
  database: DatabaseTier,
  objectStore: ObjectStoreTier,
  frs: FrsTier,
  api: ApiTier,
  loadBalancer: LoadBalancerTier,
  backup: TierWithData,
  monitoring: MonitoringTier,
  vpn: VpnTier,
  tls: closed({
    minVersion: TlsVersion,
    ciphers: Type.Array(Type.String({ pattern: "^[A-Z0-9_-]+$" }), { minItems: 1, description: "OpenSSL names of the TLS 1.2 suites" }),
    ciphersuites: Type.Array(Type.String({ pattern: "^TLS_[A-Z0-9_]+$" }), { minItems: 1, description: "TLS 1.3 suites" }),
  }),
  backupPolicy: closed({
    database: closed({
      fullEveryHours: Type.Integer({ minimum: 1, maximum: 168 }),
      incrementalEveryHours: Type.Integer({ minimum: 1, maximum: 24 }),
      retentionDays: Type.Integer({ minimum: 1, maximum: 3650 }),
    }),
    photos: closed({
      rotation: oneOf(["hanoi"] as const),
      newestRestorePointHours: Type.Integer({ minimum: 1 }),
      oldestRestorePointDays: Type.Integer({ minimum: 1, maximum: 3650 }),
    }),
    offsite: closed({
      nasAddress: Ipv4Address,
      encrypted: Type.Boolean(),
      /** The NAS account the storage daemon mounts the directory as (sshfs, key only). */
      user: Type.String({ pattern: "^[a-z_][a-z0-9_-]{0,31}$", description: "a user name on the NAS such as ibacnas" }),
      /** The directory on the NAS that holds the copy volumes. */
      path: Type.String({ pattern: "^(/[A-Za-z0-9_][A-Za-z0-9._-]*)+$", maxLength: 200, description: "an absolute path on the NAS such as /volume1/ibac-backup (no spaces, quotes or dot segments)" }),
      /** The NAS's SSH host key, pinned: the mount refuses any other. */
      sshHostKey: SshHostKey,
    }),
    /** Bacula's PKI data encryption: every file daemon also encrypts for this master key pair, kept off the cluster. */
    encryption: closed({
      masterCertificate: Type.String({
        pattern: "^-----BEGIN CERTIFICATE-----\\n([A-Za-z0-9+/=]{1,76}\\n)+-----END CERTIFICATE-----\\n?$",
        maxLength: 16384,
        description: "the PEM certificate (public half) of the backup master key pair, an RSA key of 3072 bits or more",
      }),
    }),
  }),
  notifications: closed({
    smtpRelay: closed({
      host: Type.String({
        pattern: `^${hostOrIpv4Pattern}$`,
        maxLength: 253,
        description: "a host name such as relay.example.org or an IPv4 address",
      }),
      port: Type.Integer({ minimum: 1, maximum: 65535 }),
    }),
    email: Type.Array(EmailAddress, { minItems: 1, uniqueItems: true }),
    /** The sender of every notification (the relay may accept only its own domain). */
    from: EmailAddress,
    repeatMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 10080, description: "how often a problem that lasts notifies again, in minutes; 0 notifies once (default 60)" })),
    escalations: Type.Optional(
      Type.Array(
        closed({
          afterMinutes: Type.Integer({ minimum: 1, maximum: 10080, description: "how long a problem lasts before these addresses are notified too" }),
          email: Type.Array(EmailAddress, { minItems: 1, uniqueItems: true }),
        }),
        { description: "who else is notified when a problem lasts, in increasing afterMinutes" },
      ),
    ),
  }),
  pki: Type.Optional(
    closed({
      revoked: Type.Array(
        closed({
          issuer: oneOf(["platform", "mobiles", "site"] as const, "the CA that issued it: platform (servers and gateways), mobiles or site"),
          serial: Type.String({ pattern: "^([0-9A-Fa-f]{2}){1,20}$", description: "the serial in hex, as `openssl x509 -noout -serial` prints it" }),
          revokedOn: Type.String({ pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", description: "the day it was revoked (YYYY-MM-DD, UTC)" }),
          reason: Type.Optional(oneOf(["keyCompromise", "superseded", "cessationOfOperation", "affiliationChanged"] as const, "why (RFC 5280 reason code)")),
        }),
        { description: "certificates the CAs no longer vouch for: rendered as each CA's CRL, checked by every verifier" },
      ),
    }),
  ),
  firewall: Type.Optional(
    closed({
      outboundPolicy: Type.Optional(oneOf(["ACCEPT", "DROP"] as const, "what leaves a VM or node when no rule matches: ACCEPT (default) or DROP (then one outbound rule per flow)")),
    }),
  ),
  flows: Type.Optional(
    Type.Array(
      closed({
        id: Type.String({ pattern: "^[a-z][a-z0-9-]{2,62}$", description: "a flow id: lower-case letters, digits and '-'" }),
        source: Type.String({ description: "tier:<tier>[:primary|replica] or zone:<zone>" }),
        destination: Type.String({ description: "tier:<tier>[:primary|replica] or zone:<zone>" }),
        protocol: oneOf(["tcp", "udp"] as const),
        ports: Type.String({ pattern: "^[0-9]{1,5}(:[0-9]{1,5})?$", description: "a port (443) or a range (5404:5405)" }),
        purpose: Type.String({ minLength: 3 }),
      }),
      { description: "flows the site needs beyond the design's own (each becomes one firewall opening)" },
    ),
  ),
  admins: Type.Array(
    closed({
      name: Type.String({ pattern: "^[a-z_][a-z0-9_-]{0,31}$", description: "a Linux user name" }),
      sshKeys: Type.Array(Type.String({ pattern: "^(ssh-ed25519|ecdsa-sha2-nistp(256|384|521)|ssh-rsa) [A-Za-z0-9+/=]+( [^\\r\\n]*)?$", description: "an OpenSSH public key" }), { minItems: 1, uniqueItems: true }),
    }),
    { minItems: 1 },
  ),
});

export type PlatformSpec = Static<typeof PlatformSpec>;
export type ProxmoxNodeSpec = Static<typeof ProxmoxNode>;
export type NetworkSpec = Static<typeof Network>;
export type VmSizeSpec = Static<typeof VmSize>;
export type ObjectStoreSpec = Static<typeof ObjectStoreTier>;
export type BucketSpec = ObjectStoreSpec["buckets"][number];
export type ServiceArtifactSpec = Static<typeof ServiceArtifact>;
export type LoadBalancerSpec = Static<typeof LoadBalancerTier>;

/** The tiers in their fixed order: this order decides VM ids and addresses, so never reorder it. */
/** The spec's PEM fields, by path below `ibac:platform`: the only strings allowed to span lines. */
export const SPEC_PEM_FIELDS: readonly (readonly string[])[] = [["backupPolicy", "encryption", "masterCertificate"]];

export const TIER_NAMES = ["database", "objectStore", "frs", "api", "loadBalancer", "backup", "monitoring", "vpn"] as const;
export type TierName = (typeof TIER_NAMES)[number];
