import { renderReplicatedDrbdResource, type DrbdResourceText } from "../replicated-volume/render-drbd-resource";
import type { DrbdResourcePlan } from "./storage-plan";

// The renderer is shared with every replicated volume (replicated-volume/render-drbd-resource.ts); the names
// the object store's code and tests import stay here.
export { DRBD_FENCE_PEER_HANDLER, DRBD_SPLIT_BRAIN_HANDLER, DRBD_UNFENCE_PEER_HANDLER, validateDrbdResourcePlan } from "../replicated-volume/render-drbd-resource";

/** What the object store's resource file says about itself. */
export const STORAGE_DRBD_TEXT: DrbdResourceText = { volume: "the object store's volume", flowId: "object-store-drbd", splitBrainRunbook: "storage-split-brain" };

/** The object store's `/etc/drbd.d/ibac-s3.res`. */
export function renderDrbdResource(plan: DrbdResourcePlan): string {
  return renderReplicatedDrbdResource(plan, STORAGE_DRBD_TEXT);
}
