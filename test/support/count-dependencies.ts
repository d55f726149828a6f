import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import type { RegisterResourceRequest } from "@pulumi/pulumi/proto/resource_pb";

/** The dependency URNs the engine received for the resources of one type. */
export interface DependencyCount {
  resources: number;
  /** URNs in `dependencies` (explicit `dependsOn` and input references, expanded by the SDK). */
  dependencies: number;
  /** URNs across every input's `propertyDependencies`. */
  propertyDependencies: number;
}

/** What a counter has seen so far, per resource type. */
export type DependencyCounts = Map<string, DependencyCount>;

/** Total URNs over every type: what a real `pulumi up` would send the engine. */
export function totalUrns(counts: DependencyCounts): number {
  let total = 0;
  for (const c of counts.values()) total += c.dependencies + c.propertyDependencies;
  return total;
}

/**
 * Counts, per resource type, the dependency URNs in every RegisterResource request the mock engine gets.
 * It wraps the mock monitor's method on its prototype because `pulumi.runtime.setMocks` creates a fresh
 * monitor on every call (the offline plan calls it itself): the counter sees exactly what the engine would.
 * Call the returned function to stop counting.
 */
export function countDependencies(counts: DependencyCounts): () => void {
  const proto = MockMonitor.prototype as unknown as { registerResource: (req: RegisterResourceRequest, callback: unknown) => Promise<void> };
  const original = proto.registerResource;
  proto.registerResource = function (this: unknown, req: RegisterResourceRequest, callback: unknown): Promise<void> {
    const entry = counts.get(req.getType()) ?? { resources: 0, dependencies: 0, propertyDependencies: 0 };
    entry.resources += 1;
    entry.dependencies += req.getDependenciesList().length;
    req.getPropertydependenciesMap().forEach((deps) => {
      entry.propertyDependencies += deps.getUrnsList().length;
    });
    counts.set(req.getType(), entry);
    return original.call(this, req, callback);
  };
  return () => {
    proto.registerResource = original;
  };
}
