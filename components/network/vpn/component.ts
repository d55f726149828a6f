import * as pulumi from "@pulumi/pulumi";
import type { VmPlan } from "../../model/types";
import type { RenderedFile } from "../../vm/rendered-file";
import type { TierComponent, TierComponentArgs, TierCredential, TlsEndpoint } from "../../tiers/tier-component";
import { tierMonitors, type ServiceMonitor } from "../../tiers/monitors";
import { renderConcentratorSwanctl, renderSiteTunnelSwanctl, siteTunnelRole, VPN_CA_FILES, type SwanctlCredentialFiles } from "./render-swanctl";

/** The spec, the model, and the CA that issues each gateway's certificate (mobiles and the site gateway must hold certificates it issued). */
export type VpnTierArgs = TierComponentArgs;

/** Debian's swanctl layout: swanctl.conf includes conf.d/*.conf and loads keys and certificates by folder. */
const SWANCTL_DIR = "/etc/swanctl";

/**
 * The VPN gateways' files: a certificate per gateway from the internal CA (its key a secret, in the folder
 * swanctl loads keys from), the root and the two peer CAs (mobiles, site) with their CRLs, and the rendered
 * connections for the mobiles and the site tunnel, loaded with `swanctl --load-all` after every change.
 */
export class VpnTier extends pulumi.ComponentResource implements TierComponent {
  /** The gateways offer no account to other tiers. */
  readonly credentials: Readonly<Record<string, TierCredential>> = {};
  /** IKE is not TLS: the gateways serve no TLS endpoint. */
  readonly tlsEndpoints: readonly TlsEndpoint[] = [];
  readonly monitors: readonly ServiceMonitor[];
  private readonly files = new Map<string, RenderedFile[]>();

  constructor(name: string, args: VpnTierArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ibac:network:VpnTier", name, {}, opts);
    const gateways = args.model.vms.filter((v) => v.tier === "vpn");
    this.monitors = tierMonitors(args.model, "vpn");
    for (const vm of gateways) {
      const cert = args.ca.issueServerCertificate(`${name}-${vm.name}-ike`, {
        commonName: vm.fqdn,
        dnsNames: [vm.fqdn],
        ipAddresses: vm.nics.map((n) => n.address),
      }, this);
      const credentials: SwanctlCredentialFiles = {
        certFile: `${SWANCTL_DIR}/x509/${vm.fqdn}.pem`,
        caCertFile: VPN_CA_FILES.root,
        peerCaCertFiles: { mobiles: VPN_CA_FILES.mobiles, site: VPN_CA_FILES.site },
      };
      const publicFile = (path: string, content: pulumi.Input<string>): RenderedFile => ({ path, content, mode: "0644", owner: "root:root" });
      // A new CRL takes effect at once in a running charon; on the first install the connections' own
      // follow-up (below) starts strongSwan and loads everything, CRLs included.
      const reloadCrls = "if systemctl is-active --quiet strongswan; then swanctl --load-creds --noprompt; fi";
      this.files.set(vm.name, [
        publicFile(credentials.caCertFile, args.ca.certPem),
        publicFile(credentials.peerCaCertFiles.mobiles, args.ca.peerCas.mobiles.certPem),
        publicFile(credentials.peerCaCertFiles.site, args.ca.peerCas.site.certPem),
        { ...publicFile(`${SWANCTL_DIR}/x509crl/ibac-ca.crl.pem`, args.ca.crlPem), afterChange: reloadCrls },
        { ...publicFile(`${SWANCTL_DIR}/x509crl/ibac-mobiles-ca.crl.pem`, args.ca.peerCas.mobiles.crlPem), afterChange: reloadCrls },
        { ...publicFile(`${SWANCTL_DIR}/x509crl/ibac-site-ca.crl.pem`, args.ca.peerCas.site.crlPem), afterChange: reloadCrls },
        publicFile(credentials.certFile, cert.certPem),
        { path: `${SWANCTL_DIR}/private/${vm.fqdn}.pem`, content: cert.privateKeyPem, mode: "0600", owner: "root:root" },
        { path: `${SWANCTL_DIR}/conf.d/ibac-mobiles.conf`, content: renderConcentratorSwanctl({ spec: args.spec, vm, files: credentials }), mode: "0644", owner: "root:root" },
        {
          path: `${SWANCTL_DIR}/conf.d/ibac-site.conf`,
          content: renderSiteTunnelSwanctl({ spec: args.spec, vm, files: credentials, role: siteTunnelRole(vm, gateways) }),
          mode: "0644",
          owner: "root:root",
          // charon-systemd is Debian's swanctl-driven daemon; the standard plugins bring AES-GCM and ECP-384.
          afterChange: "dpkg-query -W charon-systemd >/dev/null 2>&1 || apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends charon-systemd strongswan-swanctl libstrongswan-standard-plugins; systemctl enable --now strongswan && swanctl --load-all",
        },
      ]);
    }
    this.registerOutputs({});
  }

  /** The files a VM of this tier gets, in install order; none for a VM of another tier. */
  filesFor(vm: VmPlan): RenderedFile[] {
    return this.files.get(vm.name) ?? [];
  }
}
