import { stackPolicy } from "../kit/define-policy";
import { reportFinding } from "../kit/report-finding";
import type { IbacStackPolicy } from "../kit/types";
import { RESOURCES } from "../../components/resource-types";
import { S3_CLIENTS, policyDocumentProblems } from "../../components/storage/bucket-access";
import { clientAccessKey } from "../../components/storage/buckets";
import { SECRET_MARK } from "../../components/offline-plan/run-offline-plan";
import { resourcesOf, runMasksSecrets } from "./object-store-evidence";

/**
 * Security analysis, "Displacement of the data" (each service account reaches only the data of its own flow),
 * for the object store: each client tier (FRS, API, backup, logging) has its own MinIO user with a secret key
 * kept secret, attached to exactly one policy, whose document names S3 actions and buckets explicitly: no
 * `s3:*`, no wildcard resource, no delete (bucket-access.ts's rule). The database's accounts are not judged here.
 */
export function objectStoreLeastPrivilegePolicy(): IbacStackPolicy {
  return stackPolicy({
    name: "object-store-least-privilege",
    description:
      "Each object-store client tier (frs, api, backup, logging) has its own MinIO user with a secret key, attached to exactly one policy that names its S3 actions and buckets: no s3:*, no wildcard resource, no delete.",
    requirements: ["IBAC-DAT-002"],
    severity: "medium",
    enforcementLevel: "advisory",
  }, (view, resources, report) => {
    const users = resourcesOf(resources, RESOURCES.MinioIamUser);
    const policies = resourcesOf(resources, RESOURCES.MinioIamPolicy);
    const attachments = resourcesOf(resources, RESOURCES.MinioIamUserPolicyAttachment);
    const masked = runMasksSecrets(resources);
    for (const client of S3_CLIENTS) {
      const name = clientAccessKey(client);
      const subject = `MinIO user ${name} (${client})`;
      const mine = users.filter((u) => u.props.name === name);
      if (mine.length !== 1) {
        reportFinding(report, { subject, observed: mine.length ? `${mine.length} IamUser resources` : "no IamUser resource", expected: `one MinIO user for the ${client} tier`, urn: mine[0]?.urn ?? view.urn });
        continue;
      }
      const user = mine[0];
      const secret = user.props.secret;
      // Unknown (undefined) under a preview of a new stack; masked offline. Plain text only proves a leak where the run masks.
      if (masked && typeof secret === "string" && secret !== SECRET_MARK) {
        reportFinding(report, { subject, observed: "its secret key in plain text in the resource's inputs", expected: "a Pulumi secret (from @pulumi/random)", urn: user.urn, location: "inputs.secret" });
      }
      const attached = attachments.filter((a) => a.props.userName === name);
      if (attached.length !== 1) {
        reportFinding(report, { subject, observed: `${attached.length} policy attachments${attached.length ? ` (${attached.map((a) => String(a.props.policyName)).join(", ")})` : ""}`, expected: "exactly one policy attached", urn: user.urn });
        continue;
      }
      const policyName = attached[0].props.policyName;
      const policy = policies.find((p) => p.props.name === policyName);
      if (!policy) {
        reportFinding(report, { subject, observed: `attached to ${String(policyName)}, which the stack does not declare`, expected: "an IamPolicy of the stack", urn: attached[0].urn, location: "inputs.policyName" });
        continue;
      }
      let document: unknown;
      try {
        document = JSON.parse(String(policy.props.policy));
      } catch {
        reportFinding(report, { subject, observed: `policy ${String(policyName)} is not JSON`, expected: "an IAM policy document", urn: policy.urn, location: "inputs.policy" });
        continue;
      }
      for (const problem of policyDocumentProblems(document)) {
        reportFinding(report, { subject, observed: `policy ${String(policyName)}: ${problem}`, expected: "named S3 actions (no s3:*, no delete) on named buckets", urn: policy.urn, location: "inputs.policy" });
      }
    }
  });
}
