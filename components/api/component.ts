import type * as pulumi from "@pulumi/pulumi";
import type { TierComponentArgs } from "../tiers/tier-component";
import { ApplicationServiceComponent } from "../app-service/component";

/**
 * The API tier: the operator's API on each API VM (components/app-service/: its plan, unit, env file and install
 * script, shared with FRS), with a certificate for the VM's name and address that the load balancer verifies.
 * The env file lists the FRS instances the API balances across, by address and certificate name.
 */
export class ApiTier extends ApplicationServiceComponent {
  static readonly __pulumiType = "ibac:api:ApiTier";

  constructor(name: string, args: TierComponentArgs, opts?: pulumi.ComponentResourceOptions) {
    super(ApiTier.__pulumiType, "api", name, args, opts);
  }
}
