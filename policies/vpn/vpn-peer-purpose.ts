import { stackPolicy } from "../kit/define-policy";
import { deliveredFiles } from "../kit/rendered-files";
import { reportFinding } from "../kit/report-finding";
import type { IbacStackPolicy } from "../kit/types";
import { isDelivered, pendingFiles } from "../kit/pending-files";
import { VPN_CA_FILES } from "../../components/network/vpn/render-swanctl";
import { authRounds, swanctlConnections } from "./swanctl-conf";

const X509CA = "/etc/swanctl/x509ca";

/**
 * Seed design, "VPN-tunnel", and the adopted policy (document 003, "3 Authentication"): the concentrator accepts
 * only the peers it is for. A connection that hands out virtual IPs (`pools`: the mobiles) trusts only the
 * mobiles CA, one with a fixed remote address (the statistics site) only the site CA; neither may trust the root,
 * which also issues every server's certificate (a database server's certificate would authenticate as a mobile).
 * strongSwan refuses a peer whose chain does not contain a CA named in `cacerts`.
 */
export function vpnPeerPurposePolicy(): IbacStackPolicy {
  return stackPolicy({
    name: "vpn-peer-purpose",
    description:
      "Each IPsec connection accepts only certificates of its peers' issuing CA: the mobiles connection (pools) the mobiles CA, the site tunnel (remote_addrs) the site CA, never the root that issues servers' certificates; the CA is delivered to the gateway.",
    requirements: ["IBAC-VPN-002"],
    severity: "high",
    enforcementLevel: "mandatory",
  }, async (view, resources, report) => {
    const files = await deliveredFiles(resources, view.model);
    const pending = await pendingFiles(resources, view.model);
    const delivered = (vm: string, path: string): boolean => isDelivered(files, pending, vm, path);
    for (const c of swanctlConnections(files).connections) {
      const purpose = c.section.values.has("pools") ? "mobiles" : c.section.values.has("remote_addrs") ? "site" : undefined;
      if (!purpose) continue;
      const expected = VPN_CA_FILES[purpose];
      for (const [name, round] of authRounds(c.section, "remote")) {
        const cacerts = (round.values.get("cacerts") ?? "").split(",").map((s) => s.trim()).filter(Boolean).map((p) => (p.startsWith("/") ? p : `${X509CA}/${p}`));
        const wrong = cacerts.filter((p) => p !== expected);
        const subject = `peers accepted by IPsec connection ${c.name} on ${c.file.vm}`;
        const location = `${c.file.path}: connections.${c.name}.${name}.cacerts`;
        if (cacerts.length === 0 || wrong.length) {
          reportFinding(report, {
            subject,
            observed: cacerts.length === 0 ? "cacerts not set (a certificate of any loaded CA, a server's included, is accepted)" : `cacerts = ${cacerts.join(", ")}${wrong.includes(VPN_CA_FILES.root) ? " (the root also issues every server's certificate)" : ""}`,
            expected: `cacerts = ${expected} (the ${purpose} CA only)`,
            urn: c.file.urn,
            location,
          });
        } else if (!delivered(c.file.vm, expected)) {
          reportFinding(report, { subject, observed: `cacerts = ${expected}, which the stack does not deliver to ${c.file.vm}`, expected: `the ${purpose} CA delivered to the gateway`, urn: c.file.urn, location });
        }
      }
    }
  });
}
