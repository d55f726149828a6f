import type { KeepalivedPaths } from "./keepalived-paths";
import type { VrrpInstance, VrrpTrack } from "./vrrp-plan";

/**
 * The unprivileged user keepalived runs the check and notify scripts as (`script_user`): created by the
 * tier's packages script, no shell, no home. keepalived itself stays root (it adds addresses).
 */
export const KEEPALIVED_SCRIPT_USER = "keepalived_script";

const ROUTER_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** keepalived's seconds with decimals, from milliseconds (VRRPv3 adverts are centiseconds on the wire). */
function seconds(ms: number): string {
  return String(ms / 1000);
}

function trackBlock(track: VrrpTrack): string {
  switch (track.kind) {
    case "script":
      return `vrrp_script ${track.name} {
    script "${track.path}"
    interval ${seconds(track.intervalMs)}
    timeout ${seconds(track.timeoutMs)}
    fall ${track.fall}
    rise ${track.rise}
}
`;
    case "process":
      return `vrrp_track_process ${track.name} {
    process ${track.process}
    quorum 1
    delay ${seconds(track.delayMs)}
}
`;
    default: {
      const never: never = track;
      throw new Error(`unknown track ${JSON.stringify(never)}`);
    }
  }
}

function trackReference(track: VrrpTrack): string {
  const block = track.kind === "script" ? "track_script" : "track_process";
  return `    ${block} {
        ${track.name}
    }
`;
}

function instanceBlock(instance: VrrpInstance, paths: KeepalivedPaths): string {
  const peers = instance.unicastPeers.map((p) => `        ${p}\n`).join("");
  return `vrrp_instance ${instance.name} {
    # Every peer starts as BACKUP and never takes the address back (nopreempt): a recovered holder stays
    # backup, so the address moves once per failure, not twice. The highest priority wins the first election.
    state BACKUP
    nopreempt
    interface ${instance.interface}
    virtual_router_id ${instance.virtualRouterId}
    priority ${instance.priority}
    advert_int ${seconds(instance.advertIntervalMs)}
    # Unicast to the tier's other VMs only: VRRPv3 has no authentication, so the peers are named here and the
    # firewall's vrrp flow between the tier's VMs admits adverts from them alone.
    unicast_src_ip ${instance.unicastSourceIp}
    unicast_peer {
${peers}    }
    virtual_ipaddress {
        ${instance.virtualIpCidr} dev ${instance.interface}
    }
${instance.track ? trackReference(instance.track) : ""}    notify "${paths.notifyScript}"
}
`;
}

/**
 * keepalived.conf for one VM: VRRPv3 (sub-second adverts), scripts run as an unprivileged user under
 * script security, one block per tracked check and one vrrp_instance per virtual address the VM holds.
 */
export function renderKeepalivedConf(instances: readonly VrrpInstance[], paths: KeepalivedPaths, routerId: string): string {
  if (!ROUTER_ID.test(routerId)) throw new Error(`router_id: expected a host name, found "${routerId}"`);
  if (instances.length === 0) throw new Error(`${routerId}: keepalived.conf needs at least one VRRP instance`);
  for (const i of instances) {
    if (i.unicastPeers.length === 0) throw new Error(`${routerId}: vrrp_instance ${i.name} has no unicast peer to fail over to`);
  }
  const names = instances.map((i) => i.name);
  if (new Set(names).size !== names.length) throw new Error(`${routerId}: two VRRP instances share a name (${names.join(", ")})`);
  const ids = instances.map((i) => i.virtualRouterId);
  if (new Set(ids).size !== ids.length) throw new Error(`${routerId}: two VRRP instances share a virtual_router_id (${ids.join(", ")})`);
  const tracks = instances.flatMap((i) => (i.track ? [i.track] : []));
  const trackBlocks = tracks.filter((t, i) => tracks.findIndex((u) => u.name === t.name) === i).map(trackBlock).join("");
  return `# Rendered by the iBac toolkit: keepalived for ${routerId}.
global_defs {
    router_id ${routerId}
    vrrp_version 3
    # Scripts run as ${KEEPALIVED_SCRIPT_USER}, and only from files no other user can replace.
    enable_script_security
    script_user ${KEEPALIVED_SCRIPT_USER}
}
${trackBlocks}${instances.map((i) => instanceBlock(i, paths)).join("")}`;
}

/**
 * The copy of a rendered keepalived.conf that keepalived 2.2.7 (Debian 12) can check with `-t`: its config
 * test kills itself with SIGTERM (exit 143) once it has checked a script as a non-root script_user
 * (acassen/keepalived#2617, #2587; fixed in 2.2.8 by aae8e91), though the daemon runs that file fine. The copy
 * differs in that one line only (script_user root); the rendered file keeps the unprivileged user.
 */
export function keepalivedConfigTestCopy(text: string): string {
  const line = `    script_user ${KEEPALIVED_SCRIPT_USER}\n`;
  const at = text.indexOf(line);
  if (at < 0 || text.indexOf(line, at + 1) >= 0) throw new Error(`expected one "script_user ${KEEPALIVED_SCRIPT_USER}" line in keepalived.conf`);
  return text.replace(line, "    script_user root\n");
}
