// Pulumi entry point (`pulumi up --stack prod`): load the stack's platform spec, then build the platform.
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { loadStackFile, stackFilePath } from "./components/spec/load";
import { InputError } from "./components/input/input-error";
import { definePlatform } from "./components/program";

function loadCurrentStack(): ReturnType<typeof loadStackFile> {
  const stack = pulumi.getStack();
  try {
    return loadStackFile(stackFilePath(__dirname, stack), path.join("stacks", `Pulumi.${stack}.yaml`));
  } catch (err) {
    // A bad spec is the user's mistake: RunError prints the message without a stack trace.
    if (err instanceof InputError) throw new pulumi.RunError(err.describe());
    throw err;
  }
}

const outputs = definePlatform(loadCurrentStack());
export const vms = outputs.vms;
export const placement = outputs.placement;
export const automationToken = outputs.automationToken;
export const peerIssuingCas = outputs.peerIssuingCas;
export const backupNasPublicKey = outputs.backupNasPublicKey;
