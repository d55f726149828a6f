// Nagios 4's status.dat, read back: `hoststatus { ... }`, `servicestatus { ... }`, `programstatus { ... }`
// blocks of `key=value` lines (Nagios writes it every status_update_interval seconds).

export interface StatusBlock {
  type: string;
  fields: Record<string, string>;
}

export function parseStatusDat(text: string): StatusBlock[] {
  const blocks: StatusBlock[] = [];
  let current: StatusBlock | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    const open = /^([a-z]+) \{$/.exec(line);
    if (open) current = { type: open[1], fields: {} };
    else if (line === "}" && current) {
      blocks.push(current);
      current = undefined;
    } else if (current) {
      const eq = line.indexOf("=");
      if (eq > 0) current.fields[line.slice(0, eq)] = line.slice(eq + 1);
    }
  }
  return blocks;
}

export interface HostState {
  host: string;
  /** 0 UP, 1 DOWN, 2 UNREACHABLE. */
  state: number;
  hard: boolean;
  checked: boolean;
  output: string;
}

export interface ServiceState {
  host: string;
  service: string;
  /** 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. */
  state: number;
  hard: boolean;
  checked: boolean;
  output: string;
}

export interface EngineStatus {
  notificationsEnabled: boolean;
  hosts: HostState[];
  services: ServiceState[];
}

export function engineStatus(text: string): EngineStatus {
  const blocks = parseStatusDat(text);
  const program = blocks.find((b) => b.type === "programstatus");
  const common = (f: Record<string, string>): { state: number; hard: boolean; checked: boolean; output: string } => ({
    state: Number(f.current_state),
    hard: f.state_type === "1",
    checked: f.has_been_checked === "1",
    output: f.plugin_output ?? "",
  });
  return {
    notificationsEnabled: program?.fields.enable_notifications === "1",
    hosts: blocks.filter((b) => b.type === "hoststatus").map((b) => ({ host: b.fields.host_name, ...common(b.fields) })),
    services: blocks
      .filter((b) => b.type === "servicestatus")
      .map((b) => ({ host: b.fields.host_name, service: b.fields.service_description, ...common(b.fields) })),
  };
}
