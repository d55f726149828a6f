import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import * as tls from "@pulumi/tls";
import { CERTIFICATE_KEY } from "./key-type";
import { crlIndex, crlSigningScript, type CaName, type RevokedCertificate } from "./revocation";

/** Ten years for the CA, two for the certificates it issues; renewal starts 30 days before expiry. */
const CA_VALIDITY_HOURS = 10 * 365 * 24;
const CERT_VALIDITY_HOURS = 2 * 365 * 24;
const EARLY_RENEWAL_HOURS = 30 * 24;

export interface InternalCaArgs {
  /** The organisation named in every certificate's subject. */
  organization: string;
  /** The CA's common name, e.g. `iBac internal CA (prod)`. */
  commonName: string;
  /** The spec's `pki.revoked`: each CA's CRL lists the entries it issued. */
  revoked?: readonly RevokedCertificate[];
}

/** The VPN peers' purposes, each with an issuing CA of its own below the platform's root. */
export type PeerPurpose = Exclude<CaName, "platform">;

/** One CA of the platform: its certificate and its current CRL (PEM, public). */
export interface CaCredentials {
  certPem: pulumi.Output<string>;
  crlPem: pulumi.Output<string>;
}

/** A peer CA as the operator needs it to issue its peers' certificates: the key is a secret. */
export interface IssuingCa {
  certPem: pulumi.Output<string>;
  privateKeyPem: pulumi.Output<string>;
}

export interface IssuedCertificate {
  certPem: pulumi.Output<string>;
  /** A secret. */
  privateKeyPem: pulumi.Output<string>;
}

export interface ServerCertificateArgs {
  commonName: string;
  dnsNames: string[];
  ipAddresses: string[];
  /** Also usable as a TLS client certificate (a replica connecting to its primary). */
  clientAuth?: boolean;
}

/**
 * The toolkit's own certificate authority: every internal TLS endpoint (MariaDB, MinIO, the API) and every VPN
 * gateway gets its certificate from the root here, so trust is one CA file and no private key ever leaves
 * Pulumi's encrypted state. Below the root, one issuing CA per kind of VPN peer (`mobiles`, `site`): the
 * gateway accepts a mobile only with a certificate the mobiles CA issued (swanctl `cacerts`), so a server's
 * certificate, though from the same root, never authenticates as a mobile or as the site. Each CA signs a CRL
 * of the spec's `pki.revoked` entries it issued (see `crl`), delivered to every verifier.
 */
export class InternalCa extends pulumi.ComponentResource {
  readonly certPem: pulumi.Output<string>;
  /** The root's CRL: servers, gateways and the issuing CAs themselves. */
  readonly crlPem: pulumi.Output<string>;
  /** The issuing CA of each kind of VPN peer, with its CRL. */
  readonly peerCas: Readonly<Record<PeerPurpose, CaCredentials>>;
  /**
   * The peer CAs with their keys (secrets), for the stack output the operator issues mobile and site
   * certificates from (`pulumi stack output --show-secrets peerIssuingCas`): the toolkit issues none itself.
   */
  readonly peerIssuingCas: Readonly<Record<PeerPurpose, IssuingCa>>;
  private readonly key: tls.PrivateKey;
  private readonly organization: string;

  constructor(name: string, args: InternalCaArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ibac:pki:InternalCa", name, {}, opts);
    this.organization = args.organization;
    this.key = new tls.PrivateKey(`${name}-key`, { ...CERTIFICATE_KEY }, { parent: this });
    const cert = new tls.SelfSignedCert(`${name}-cert`, {
      privateKeyPem: this.key.privateKeyPem,
      isCaCertificate: true,
      subject: { commonName: args.commonName, organization: args.organization },
      validityPeriodHours: CA_VALIDITY_HOURS,
      earlyRenewalHours: EARLY_RENEWAL_HOURS,
      allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
    }, { parent: this });
    this.certPem = cert.certPem;
    const revoked = args.revoked ?? [];
    this.crlPem = this.crl(`${name}-crl`, cert.certPem, this.key.privateKeyPem, revoked.filter((r) => r.issuer === "platform"));
    const issuing: Partial<Record<PeerPurpose, IssuingCa>> = {};
    const peerCa = (purpose: PeerPurpose, label: string): CaCredentials => {
      const key = new tls.PrivateKey(`${name}-${purpose}-key`, { ...CERTIFICATE_KEY }, { parent: this });
      const request = new tls.CertRequest(`${name}-${purpose}-csr`, {
        privateKeyPem: key.privateKeyPem,
        subject: { commonName: `${args.commonName}: ${label}`, organization: args.organization },
      }, { parent: this });
      const issued = new tls.LocallySignedCert(`${name}-${purpose}-cert`, {
        certRequestPem: request.certRequestPem,
        caCertPem: this.certPem,
        caPrivateKeyPem: this.key.privateKeyPem,
        isCaCertificate: true,
        validityPeriodHours: CA_VALIDITY_HOURS,
        earlyRenewalHours: EARLY_RENEWAL_HOURS,
        allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
      }, { parent: this });
      issuing[purpose] = { certPem: issued.certPem, privateKeyPem: pulumi.secret(key.privateKeyPem) };
      return { certPem: issued.certPem, crlPem: this.crl(`${name}-${purpose}-crl`, issued.certPem, key.privateKeyPem, revoked.filter((r) => r.issuer === purpose)) };
    };
    this.peerCas = { mobiles: peerCa("mobiles", "mobiles"), site: peerCa("site", "statistics site gateway") };
    this.peerIssuingCas = issuing as Record<PeerPurpose, IssuingCa>;
    this.registerOutputs({ certPem: this.certPem, crlPem: this.crlPem });
  }

  /**
   * A CA's CRL, signed by openssl on the deploying machine: @pulumi/tls has no CRL resource, and a CRL has to
   * be state (ECDSA signatures differ on every run, and its dates are fixed when it is signed), so a
   * `command.local.Command` signs it once and Pulumi keeps its output, re-signing it only when the entries, the
   * CA certificate or the key change. The key goes in as a secret on standard input (crlSigningScript).
   */
  private crl(name: string, caCertPem: pulumi.Output<string>, caKeyPem: pulumi.Output<string>, entries: readonly RevokedCertificate[]): pulumi.Output<string> {
    const signed = new command.local.Command(name, {
      create: crlSigningScript(),
      stdin: pulumi.secret(caKeyPem),
      environment: { IBAC_CA_CERT: caCertPem, IBAC_CRL_INDEX: crlIndex(entries) },
      logging: "stderr",
    }, { parent: this });
    return signed.stdout;
  }

  /** A key and a certificate signed by this CA, both children of `parent`. */
  issueServerCertificate(name: string, args: ServerCertificateArgs, parent: pulumi.Resource): IssuedCertificate {
    const key = new tls.PrivateKey(`${name}-key`, { ...CERTIFICATE_KEY }, { parent });
    const request = new tls.CertRequest(`${name}-csr`, {
      privateKeyPem: key.privateKeyPem,
      subject: { commonName: args.commonName, organization: this.organization },
      dnsNames: args.dnsNames,
      ipAddresses: args.ipAddresses,
    }, { parent });
    const cert = new tls.LocallySignedCert(`${name}-cert`, {
      certRequestPem: request.certRequestPem,
      caCertPem: this.certPem,
      caPrivateKeyPem: this.key.privateKeyPem,
      validityPeriodHours: CERT_VALIDITY_HOURS,
      earlyRenewalHours: EARLY_RENEWAL_HOURS,
      allowedUses: ["digital_signature", "key_encipherment", "server_auth", ...(args.clientAuth ? ["client_auth"] : [])],
    }, { parent });
    return { certPem: cert.certPem, privateKeyPem: pulumi.secret(key.privateKeyPem) };
  }
}
