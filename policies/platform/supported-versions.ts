import { stackPolicy } from "../kit/define-policy";
import { reportFinding } from "../kit/report-finding";
import type { IbacStackPolicy, PolicyClock } from "../kit/types";
import { RESOURCES, isResourceOf } from "../../components/resource-types";

/**
 * End of support by major release: the last month updates are published, taken as its last day. Proxmox
 * VE ends a release a few weeks after its Debian base leaves regular security support (VE 6: 2022-09, as
 * ARCHITECTURE.md records; VE 7: 2024-07; VE 8: 2026-08); a release with no announced end is supported.
 * Debian's end is the end of its LTS (wiki.debian.org/LTS). Update this table when an end is announced.
 */
export const PROXMOX_VE_END_OF_LIFE: Record<number, string | undefined> = {
  6: "2022-09-30",
  7: "2024-07-31",
  8: "2026-08-31",
  9: undefined,
};

export const DEBIAN_END_OF_LIFE: Record<number, string | undefined> = {
  10: "2024-06-30",
  11: "2026-08-31",
  12: "2028-06-30",
  13: "2030-06-30",
};


function status(table: Record<number, string | undefined>, version: number, today: string): { supported: boolean; until: string } {
  if (!(version in table)) return { supported: false, until: "unknown release" };
  const end = table[version];
  if (end === undefined) return { supported: true, until: "no end announced" };
  return { supported: today <= end, until: end };
}

/**
 * Proxmox VE (from the spec: no resource names the nodes' version) and Debian (from the image the VMs are
 * imported from) are releases still receiving security updates on `today`.
 */
export function supportedVersionsPolicy(clock: PolicyClock = {}): IbacStackPolicy {
  return stackPolicy({
    name: "supported-versions",
    description: "The Proxmox VE release of the nodes and the Debian release of the VMs still receive security updates.",
    requirements: ["IBAC-VER-001", "IBAC-VER-002"],
    // The toolkit neither installs nor queries the nodes: their VE release is the spec's word (the image
    // the VMs are imported from, by contrast, is a resource of the stack).
    declaredOnly: ["IBAC-VER-001"],
    severity: "high",
    enforcementLevel: "mandatory",
  }, (view, resources, report) => {
    const today = (clock.now?.() ?? new Date()).toISOString().slice(0, 10);
    const ve = view.spec.proxmox.version;
    const veStatus = status(PROXMOX_VE_END_OF_LIFE, ve, today);
    if (!veStatus.supported) {
      reportFinding(report, { requirement: "IBAC-VER-001", subject: "Proxmox VE release", observed: `VE ${ve}, end of life ${veStatus.until}`, expected: `a supported release on ${today} (VE 9)`, urn: view.urn, location: "proxmox.version" });
    }
    const images = resources.filter((r) => isResourceOf(r, RESOURCES.DownloadFile));
    for (const image of images) {
      const release = Number(/debian-(\d+)-/.exec(String(image.props.fileName ?? ""))?.[1] ?? NaN);
      const debian = Number.isNaN(release) ? view.spec.debian.release : release;
      const s = status(DEBIAN_END_OF_LIFE, debian, today);
      if (!s.supported) {
        reportFinding(report, { requirement: "IBAC-VER-002", subject: `Debian image on ${String(image.props.nodeName)}`, observed: `Debian ${debian} (${String(image.props.fileName)}), end of life ${s.until}`, expected: `a supported release on ${today} (Debian 12 or 13)`, urn: image.urn, location: "inputs.fileName" });
      }
    }
    if (images.length === 0) {
      const s = status(DEBIAN_END_OF_LIFE, view.spec.debian.release, today);
      if (!s.supported) reportFinding(report, { requirement: "IBAC-VER-002", subject: "Debian release", observed: `Debian ${view.spec.debian.release}, end of life ${s.until}`, expected: `a supported release on ${today}`, urn: view.urn, location: "debian.release" });
    }
  });
}
