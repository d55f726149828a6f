import * as path from "node:path";
import type { PlatformModel, VmPlan } from "../../../components/model/types";
import type { PlatformSpec } from "../../../components/spec/schema";
import type { LocalSyslog } from "../../../components/logging/local-syslog";
import type { HaproxyPaths } from "../../../components/loadbalancer/haproxy-paths";
import { HAPROXY_TRACK } from "../../../components/loadbalancer/component";
import { planLoadBalancer } from "../../../components/loadbalancer/lb-plan";
import { renderHaproxyCheck } from "../../../components/loadbalancer/render-haproxy-check";
import { renderHaproxyCfg } from "../../../components/loadbalancer/render-haproxy-cfg";
import { NONLOCAL_BIND_SYSCTL_PATH, renderNonlocalBindSysctl } from "../../../components/network/vrrp/render-nonlocal-bind-sysctl";
import { tlsPolicy } from "../../../components/pki/tls-policy";
import type { KeepalivedPaths } from "../../../components/network/vrrp/keepalived-paths";
import { KEEPALIVED_SCRIPT_USER, renderKeepalivedConf } from "../../../components/network/vrrp/render-keepalived-conf";
import { renderKeepalivedNotify } from "../../../components/network/vrrp/render-keepalived-notify";
import { planVrrpInstance, type VrrpTrack } from "../../../components/network/vrrp/vrrp-plan";

/**
 * The unprivileged user the lab's keepalived runs scripts as instead of the rendered script_user: that user is
 * created on a VM by the tier's packages script, and the lab does not add users to the machine it runs on.
 */
export const LAB_SCRIPT_USER = "nobody";

/** Where one lab balancer's files are: the layout the renderers were given, under the host's directory. */
export interface LbHostLayout {
  /** HAProxy's files: configFile, frontPem (the lab writes certificate + key), caFile, crlFile, statsSocket, log. */
  haproxy: HaproxyPaths;
  keepalived: KeepalivedPaths;
  /** The logging seam's target for HAProxy and the notify script: a unix datagram socket the lab's sink reads. */
  syslog: LocalSyslog;
  /** The rendered sysctl drop-in, at its production name under the host's directory (applied in the namespace). */
  sysctlDropIn: string;
  /** keepalived's tracked check of HAProxy (component.ts HAPROXY_TRACK, at the lab's path). */
  haproxyCheck: string;
  /** HAProxy's master writes its pid here (`-W -p`, as Debian's haproxy.service); the check reads it. */
  haproxyPidFile: string;
}

export interface RenderedLbFile {
  path: string;
  content: string;
  mode: number;
  /** What the lab changed in the rendered text, if anything (said in the README; tested). */
  labChange?: string;
}

export interface RenderedLbHost {
  files: RenderedLbFile[];
  layout: LbHostLayout;
}

export function labLayout(dir: string): LbHostLayout {
  const syslog = { target: path.join(dir, "run/log.sock") };
  return {
    haproxy: {
      configFile: path.join(dir, "etc/haproxy/haproxy.cfg"),
      frontPem: path.join(dir, "etc/haproxy/tls/front.pem"),
      caFile: path.join(dir, "etc/haproxy/tls/ca.pem"),
      crlFile: path.join(dir, "etc/haproxy/tls/crl.pem"),
      statsSocket: path.join(dir, "run/haproxy/stats.sock"),
      // No chroot: the lab's HAProxy reads its log socket by its path; production's unit bind-mounts /dev/log.
      log: syslog,
    },
    keepalived: {
      configFile: path.join(dir, "etc/keepalived/keepalived.conf"),
      notifyScript: path.join(dir, "libexec/keepalived-notify"),
      pidFile: path.join(dir, "run/keepalived.pid"),
      vrrpPidFile: path.join(dir, "run/keepalived_vrrp.pid"),
    },
    syslog,
    sysctlDropIn: path.join(dir, NONLOCAL_BIND_SYSCTL_PATH),
    haproxyCheck: path.join(dir, "libexec/check-haproxy"),
    haproxyPidFile: path.join(dir, "run/haproxy.pid"),
  };
}

/** The tier's track of HAProxy (component.ts), with the lab's path of the check script. */
export function labHaproxyTrack(layout: LbHostLayout): VrrpTrack {
  const track: VrrpTrack = HAPROXY_TRACK;
  switch (track.kind) {
    case "script":
      return { ...track, path: layout.haproxyCheck };
    case "process":
      return track;
    default: {
      const never: never = track;
      throw new Error(`unknown track ${JSON.stringify(never)}`);
    }
  }
}

/** The rendered keepalived.conf with the lab's script user (the one line the lab changes). */
export function withLabScriptUser(text: string): string {
  const line = `    script_user ${KEEPALIVED_SCRIPT_USER}\n`;
  if (text.split(line).length !== 2) throw new Error(`expected one "script_user ${KEEPALIVED_SCRIPT_USER}" line in keepalived.conf`);
  return text.replace(line, `    script_user ${LAB_SCRIPT_USER}\n`);
}

/**
 * The files the toolkit renders for one load-balancer VM (as component.ts loadBalancerFilesForVm assembles
 * them, from the same renderers), with the lab's paths.
 */
export function renderLbHost(a: { spec: PlatformSpec; model: PlatformModel; vm: VmPlan; dir: string }): RenderedLbHost {
  const layout = labLayout(a.dir);
  const instance = planVrrpInstance(a.model, a.spec, { virtualAddress: "loadBalancer", vmName: a.vm.name, track: labHaproxyTrack(layout) });
  const keepalivedConf = renderKeepalivedConf([instance], layout.keepalived, a.vm.name);
  return {
    layout,
    files: [
      { path: layout.haproxy.configFile, content: renderHaproxyCfg(planLoadBalancer(a.model, a.spec), tlsPolicy(a.spec), layout.haproxy), mode: 0o644 },
      { path: layout.sysctlDropIn, content: renderNonlocalBindSysctl(), mode: 0o644 },
      { path: layout.keepalived.configFile, content: withLabScriptUser(keepalivedConf), mode: 0o644, labChange: `script_user ${LAB_SCRIPT_USER}` },
      { path: layout.keepalived.notifyScript, content: renderKeepalivedNotify(layout.syslog), mode: 0o755 },
      { path: layout.haproxyCheck, content: renderHaproxyCheck(layout.haproxyPidFile), mode: 0o755 },
    ],
  };
}
