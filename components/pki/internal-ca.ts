import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { CERTIFICATE_KEY } from "./key-type";

/** Ten years for the CA, two for the certificates it issues; renewal starts 30 days before expiry. */
const CA_VALIDITY_HOURS = 10 * 365 * 24;
const CERT_VALIDITY_HOURS = 2 * 365 * 24;
const EARLY_RENEWAL_HOURS = 30 * 24;

export interface InternalCaArgs {
  /** The organisation named in every certificate's subject. */
  organization: string;
  /** The CA's common name, e.g. `iBac internal CA (prod)`. */
  commonName: string;
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
 * The toolkit's own certificate authority: every internal TLS endpoint (MariaDB, MinIO, the API) gets its
 * certificate here, so trust is one CA file and no private key ever leaves Pulumi's encrypted state.
 */
export class InternalCa extends pulumi.ComponentResource {
  readonly certPem: pulumi.Output<string>;
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
    this.registerOutputs({ certPem: this.certPem });
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
