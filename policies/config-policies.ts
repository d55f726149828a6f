import type { IbacPolicy, PolicyClock } from "./kit/types";
import { tlsProtocolVersionsPolicy } from "./tls/tls-protocol-versions";
import { tlsCipherSuitesPolicy } from "./tls/tls-cipher-suites";
import { tlsPeerVerificationPolicy } from "./tls/tls-peer-verification";
import { databaseReplicaReadOnlyPolicy } from "./database/replica-read-only";
import { databaseReplicationSecurePolicy } from "./database/replication-secure";
import { databaseSemiSyncPolicy } from "./database/semi-sync";
import { databaseBackupSchedulePolicy } from "./backup/database-backup-schedule";
import { photoBackupRestoreRangePolicy } from "./backup/photo-backup-restore-range";
import { backupOffsiteEncryptedPolicy } from "./backup/backup-offsite-encrypted";
import { photoBackupBaculaPolicy } from "./backup/photo-backup-bacula";
import { backupOffsiteCopyPolicy } from "./backup/backup-offsite-copy";
import { backupVolumeDrbdPolicy } from "./backup/backup-volume-drbd";
import { vpnIpsecProposalsPolicy } from "./vpn/vpn-ipsec-proposals";
import { vpnPeerPurposePolicy } from "./vpn/vpn-peer-purpose";
import { certificateRevocationPolicy } from "./tls/certificate-revocation";
import { sshKeyOnlyPolicy } from "./access/ssh-key-only";
import { automationLeastPrivilegePolicy } from "./access/automation-least-privilege";
import { monitoringCoveragePolicy } from "./monitoring/monitoring-coverage";
import { engineDeployedPolicy } from "./monitoring/engine-deployed";
import { monitoringEveryNodePolicy } from "./monitoring/monitoring-every-node";
import { storageDrbdReplicationPolicy } from "./storage/storage-drbd-replication";
import { storageClusterFencingPolicy } from "./storage/storage-cluster-fencing";
import { objectStoreTlsPolicy } from "./storage/object-store-tls";
import { objectStoreBucketsPolicy } from "./storage/object-store-buckets";
import { objectStoreLeastPrivilegePolicy } from "./storage/object-store-least-privilege";
import { objectStoreThirdSitePolicy } from "./storage/object-store-third-site";
import { dataEncryptedAtRestPolicy } from "./storage/data-encrypted-at-rest";
import { apiBehindLoadBalancerPolicy } from "./loadbalancer/api-behind-load-balancer";
import { frsLocalRetentionPolicy } from "./frs/frs-local-retention";

/**
 * The policies over rendered configuration (TLS, database, object store, backups, VPN, access, monitoring). None of them
 * depends on the date yet; `_clock` is accepted so that the pack's factories share one signature.
 */
export function configPolicies(_clock: PolicyClock = {}): IbacPolicy[] {
  return [
    databaseReplicaReadOnlyPolicy(),
    databaseReplicationSecurePolicy(),
    databaseSemiSyncPolicy(),
    storageDrbdReplicationPolicy(),
    storageClusterFencingPolicy(),
    objectStoreTlsPolicy(),
    objectStoreBucketsPolicy(),
    objectStoreLeastPrivilegePolicy(),
    objectStoreThirdSitePolicy(),
    dataEncryptedAtRestPolicy(),
    apiBehindLoadBalancerPolicy(),
    frsLocalRetentionPolicy(),
    databaseBackupSchedulePolicy(),
    photoBackupRestoreRangePolicy(),
    backupOffsiteEncryptedPolicy(),
    backupVolumeDrbdPolicy(),
    photoBackupBaculaPolicy(),
    backupOffsiteCopyPolicy(),
    tlsProtocolVersionsPolicy(),
    tlsCipherSuitesPolicy(),
    tlsPeerVerificationPolicy(),
    certificateRevocationPolicy(),
    vpnIpsecProposalsPolicy(),
    vpnPeerPurposePolicy(),
    sshKeyOnlyPolicy(),
    automationLeastPrivilegePolicy(),
    monitoringCoveragePolicy(),
    engineDeployedPolicy(),
    monitoringEveryNodePolicy(),
  ];
}
