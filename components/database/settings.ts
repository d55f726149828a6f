import type { PlatformSpec } from "../spec/schema";

/** The database tier's replication settings with every default filled in. */
export interface ReplicationSettings {
  semiSync: {
    enabled: boolean;
    /** AFTER_SYNC: a commit is visible to clients only once a replica has it, so failover loses no acknowledged write. */
    waitPoint: "AFTER_SYNC" | "AFTER_COMMIT";
    /** How long a commit waits for a replica's ack before the primary falls back to asynchronous replication. */
    timeoutMs: number;
  };
  /** Replica lag beyond which switchover and failover refuse to promote. */
  maxLagSeconds: number;
}

export const DEFAULT_REPLICATION: ReplicationSettings = {
  semiSync: { enabled: true, waitPoint: "AFTER_SYNC", timeoutMs: 10000 },
  maxLagSeconds: 30,
};

export function replicationSettings(spec: PlatformSpec): ReplicationSettings {
  const r = spec.database.replication;
  return {
    semiSync: {
      enabled: r?.semiSync?.enabled ?? DEFAULT_REPLICATION.semiSync.enabled,
      waitPoint: r?.semiSync?.waitPoint ?? DEFAULT_REPLICATION.semiSync.waitPoint,
      timeoutMs: r?.semiSync?.timeoutMs ?? DEFAULT_REPLICATION.semiSync.timeoutMs,
    },
    maxLagSeconds: r?.maxLagSeconds ?? DEFAULT_REPLICATION.maxLagSeconds,
  };
}
