import type { DeliveredFile } from "../kit/rendered-files";
import { parseHaproxyConfig, type HaproxySection } from "./haproxy-config";
import { parseKeepalivedConfig, type KeepalivedBlock } from "./keepalived-config";

/** Where Debian's haproxy and keepalived packages read their configuration (their units name these files). */
export const HAPROXY_CFG = "/etc/haproxy/haproxy.cfg";
export const KEEPALIVED_CONF = "/etc/keepalived/keepalived.conf";

/** The haproxy.cfg the stack delivers to each VM, read. */
export function haproxyConfigs(files: readonly DeliveredFile[]): { file: DeliveredFile; sections: HaproxySection[] }[] {
  return files.filter((f) => f.path === HAPROXY_CFG).map((file) => ({ file, sections: parseHaproxyConfig(file.content) }));
}

/** The keepalived.conf the stack delivers to each VM, read. */
export function keepalivedConfigs(files: readonly DeliveredFile[]): { file: DeliveredFile; tree: KeepalivedBlock[] }[] {
  return files.filter((f) => f.path === KEEPALIVED_CONF).map((file) => ({ file, tree: parseKeepalivedConfig(file.content) }));
}
