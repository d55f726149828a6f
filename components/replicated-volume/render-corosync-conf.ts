import { checkClusterPeers, checkIpv4, checkPattern } from "./checks";
import type { ReplicatedClusterPlan, ReplicatedPeer } from "./plan";

// corosync 3 (bookworm 3.1.7, trixie 3.1.9): knet transport, version 2 of the totem syntax (the only one
// corosync 3 parses). The same text serves both releases.

/** Where corosync reads the shared key; the key is delivered separately, owner-only, never in this file. */
export const COROSYNC_AUTHKEY_PATH = "/etc/corosync/authkey";

function nodeSection(peer: ReplicatedPeer): string {
  return `    node {
        nodeid: ${peer.nodeId}
        name: ${peer.vm}
        ring0_addr: ${peer.storageAddress}
        ring1_addr: ${peer.serviceAddress}
    }`;
}

function quorumSection(where: string, cluster: ReplicatedClusterPlan): string {
  if (cluster.qdeviceAddress !== undefined) {
    const host = checkIpv4(where, "qdeviceAddress", cluster.qdeviceAddress);
    // The QNetd host is the third vote: after a split, ffsplit gives its vote to exactly one half, so only that
    // half is quorate and may fence the other. two_node must not be set with a device.
    return `quorum {
    provider: corosync_votequorum
    device {
        model: net
        votes: 1
        net {
            host: ${host}
            algorithm: ffsplit
            tls: on
        }
    }
}`;
  }
  // Without a third vote, two_node keeps a lone survivor quorate, so after a split BOTH halves believe they are
  // quorate and only the fence race (pcmk_delay_max) decides who survives. wait_for_all (implied by two_node,
  // written out to be read) at least stops a node that boots alone from taking quorum before it has seen its peer.
  return `quorum {
    provider: corosync_votequorum
    two_node: 1
    wait_for_all: 1
}`;
}

/** How a cluster's corosync.conf names itself: in its errors (`where`) and its header (`storage cluster`). */
export interface CorosyncText {
  where: string;
  clusterLabel: string;
}

/**
 * corosync.conf for the two VMs of a replicated volume. Link 0 is the storage network, the one DRBD replicates over, so the
 * cluster judges its peer alive over the same network the data takes; link 1, the service network, keeps
 * membership when only the storage link breaks (passive mode: the higher-priority link carries the traffic).
 */
export function renderReplicatedCorosyncConf(cluster: ReplicatedClusterPlan, text: CorosyncText): string {
  checkClusterPeers(text.where, cluster);
  checkPattern(text.where, "clusterLabel", text.clusterLabel, /^[a-z][a-z -]{0,40}$/, "a few lower-case words such as storage cluster");
  const peers = [...cluster.peers].sort((a, b) => a.nodeId - b.nodeId);
  return `# Rendered by the iBac toolkit for the ${text.clusterLabel} ${cluster.name}; do not edit: the next deployment overwrites it.
# The authentication key (${COROSYNC_AUTHKEY_PATH}) is delivered separately, owner-only; it is never in this file.
totem {
    version: 2
    cluster_name: ${cluster.name}
    transport: knet
    # Every packet encrypted and authenticated with the shared key.
    crypto_cipher: aes256
    crypto_hash: sha256
    link_mode: passive
    interface {
        linknumber: 0
        knet_link_priority: 2
    }
    interface {
        linknumber: 1
        knet_link_priority: 1
    }
}

nodelist {
${peers.map(nodeSection).join("\n")}
}

${quorumSection(text.where, cluster)}

logging {
    to_syslog: yes
    to_stderr: no
    to_logfile: no
}
`;
}
