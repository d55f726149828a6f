import type { MonitoringEngine, TierName } from "../../components/spec/schema";

// The monitoring plan: every host and check monitoring runs, derived from the model (derive-monitoring-plan.ts),
// before any engine's syntax. The Nagios/Shinken objects, the NRPE agents, the engine's daemons and the
// policies all read this one plan, so a check exists once whatever renders it.

/** What a monitored host is: a Proxmox node, a VM, the QDevice host, or a virtual address that moves between VMs. */
export type MonitoredHostKind = "node" | "vm" | "qdevice" | "virtual-address";

export interface MonitoredHost {
  /** The engine's host_name: the node's, VM's or QDevice host's short name; `vip-<name>` for a virtual address. */
  name: string;
  kind: MonitoredHostKind;
  /** The address monitoring checks it on (a VM's service address, a node's management address). */
  address: string;
  /** The VM's tier; for a virtual address, the tier that holds it. */
  tier?: TierName;
  /** The host group it belongs to: `tier-<slug>` per tier, `proxmox-nodes`, `qdevice`. */
  hostgroup: string;
  /**
   * The hosts it is reached through: a VM's home node (so a node failure is one problem, the VMs behind it
   * unreachable, not down); a virtual address's VMs (unreachable only when every one of them is down).
   */
  parents: string[];
  /** For a VM: the node it runs on while every node is up. */
  node?: string;
  /** Whether the host runs the NRPE agent (every node, VM and the QDevice host; not a virtual address). */
  agent: boolean;
}

/** `server`: the host itself (load, memory, disks, time, updates); `service`: what the host serves. */
export type CheckLayer = "server" | "service";

/** Certificate expiry thresholds, in days (spec `monitoring.certificateExpiry`, default 30/14). */
export interface ExpiryThresholds {
  warnDays: number;
  criticalDays: number;
}

/** How a check runs: from the monitoring VM over a flow, or through the host's NRPE agent. */
export type CheckCommand =
  /** A command the host's agent runs locally (its definition is in the host's `AgentPlan`). */
  | { kind: "nrpe"; agentCommand: string }
  /** A TCP connect; with `tls`, a TLS handshake verifying the name and the certificate's expiry. */
  | { kind: "tcp"; port: number; tls?: { serverName: string; expiry: ExpiryThresholds } }
  /** An HTTPS request (TLS verified against the internal CA), expecting `expect` in the status line. */
  | { kind: "https"; port: number; serverName: string; path: string; expect: string; expiry: ExpiryThresholds }
  /** MariaDB over TLS with the monitoring account: a connection, the replication state and lag, or the read-only flag. */
  | { kind: "mysql"; port: number; check: "connection" }
  | { kind: "mysql"; port: number; check: "replication"; warnLagSeconds: number; criticalLagSeconds: number }
  | { kind: "mysql"; port: number; check: "read-only"; expected: boolean }
  /** The Proxmox API answers over TLS (its cluster CA). */
  | { kind: "proxmox-api"; port: number };

export interface MonitorCheck {
  /** The host it belongs to (`MonitoredHost.name`). */
  host: string;
  /** The engine's service_description: unique per host, `[A-Za-z0-9 ._-]` only. */
  description: string;
  layer: CheckLayer;
  command: CheckCommand;
  /** The model flow the check travels over (an NRPE check: the host's agent flow), so every check has a firewall rule. */
  flowId: string;
  /** What is checked, for the report and the notification text. */
  what: string;
}

/** A command an NRPE agent runs, by name; argv is absolute, never a shell line. */
export interface AgentCommand {
  name: string;
  /** The program and its arguments, each one argument (no shell, no `$ARGn$`: the agent takes no arguments). */
  argv: string[];
  /** Run through sudo as root (a sudoers drop-in allows exactly this argv to the agent's user). */
  asRoot: boolean;
  what: string;
}

/** The NRPE agent of one host. */
export interface AgentPlan {
  host: string;
  /** The address it listens on (the host's monitored address). */
  address: string;
  port: number;
  /** The monitoring VMs' addresses: the only clients the agent answers (`allowed_hosts`, and a client certificate). */
  allowedFrom: string[];
  /**
   * The name on its TLS certificate (from the internal CA). check_nrpe verifies the chain against the internal
   * CA but not the name (NRPE 4.1, tested in monitoring/agent): the agent admits only monitoring's client
   * certificate and addresses, and a certificate from the internal CA is what a rogue agent lacks.
   */
  tlsName: string;
  commands: AgentCommand[];
}

/** One monitoring VM and what its engine does there. */
export interface MonitoringServer {
  vm: string;
  address: string;
  node: string;
  /**
   * nagios4: `active` notifies; `standby` runs every check too with notifications off, and turns them on while
   * the active one is down (the Nagios manual's "redundant monitoring"). shinken: every daemon on both VMs,
   * the second VM's as spares.
   */
  role: "active" | "standby";
}

/** The Shinken daemons, each on one VM; spares take over when the VM of their master fails. */
export type ShinkenDaemonKind = "arbiter" | "scheduler" | "poller" | "reactionner" | "broker" | "receiver";

export interface ShinkenDaemon {
  kind: ShinkenDaemonKind;
  /** `<kind>-<vm>`, unique. */
  name: string;
  vm: string;
  address: string;
  port: number;
  spare: boolean;
}

export interface NotificationPlan {
  /** The relay from the spec; STARTTLS is required (the mail client refuses to send without it). */
  relay: { host: string; port: number };
  from: string;
  /** The on-call contacts, notified of every problem. */
  email: string[];
  /** 0: once. */
  repeatMinutes: number;
  escalations: { afterMinutes: number; email: string[] }[];
}

export interface MonitoringPlan {
  engine: MonitoringEngine;
  /** Check timing of every host and service, in seconds (the objects use interval_length=1). */
  timing: { intervalSeconds: number; retryIntervalSeconds: number; attempts: number };
  servers: MonitoringServer[];
  hosts: MonitoredHost[];
  checks: MonitorCheck[];
  agents: AgentPlan[];
  notifications: NotificationPlan;
  /** For engine `shinken`: its daemons; empty for nagios4. */
  shinkenDaemons: ShinkenDaemon[];
}

/** The longest time from a failure to its notification under `timing`: one interval, then every retry. */
export function worstCaseNotifySeconds(timing: MonitoringPlan["timing"]): number {
  return timing.intervalSeconds + (timing.attempts - 1) * timing.retryIntervalSeconds;
}

/**
 * A file a monitoring renderer produces, before Pulumi: the component turns it into a `RenderedFile` (a secret
 * one's content becomes a Pulumi secret), the lab writes it under a temporary root.
 */
export interface MonitoringFile {
  path: string;
  content: string;
  /** Octal, e.g. "0644"; a secret or a sudoers file is never world-readable. */
  mode: string;
  /** `user:group`. */
  owner: string;
  /** Holds a password or a private key: never printed, a Pulumi secret in the component. */
  secret?: boolean;
}
