import type { IbacPolicy, PolicyClock } from "./kit/types";

/** The policies over rendered configuration (TLS, database, backups, VPN, access, monitoring). */
export function configPolicies(_clock: PolicyClock = {}): IbacPolicy[] {
  return [];
}
