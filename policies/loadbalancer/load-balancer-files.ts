import type { DeliveredFile } from "../kit/rendered-files";
import { PRODUCTION_HAPROXY_PATHS } from "../../components/loadbalancer/haproxy-paths";
import { PRODUCTION_KEEPALIVED_PATHS } from "../../components/network/vrrp/keepalived-paths";
import { LB_PATHS } from "../../components/loadbalancer/paths";
import { S3_HAPROXY_CONFIG } from "../../components/storage/s3-haproxy-paths";
import { parseHaproxyConfig, type HaproxySection } from "./haproxy-config";
import { parseKeepalivedConfig, type KeepalivedBlock } from "./keepalived-config";

/** Where Debian's haproxy and keepalived packages read their configuration (their units name these files). */
export const HAPROXY_CFG = PRODUCTION_HAPROXY_PATHS.configFile;
export const KEEPALIVED_CONF = PRODUCTION_KEEPALIVED_PATHS.configFile;

/**
 * The files that become each daemon's configuration: delivered in place, or staged for the load balancer's
 * apply script, which installs the staged file at the daemon's path once its validator accepts it
 * (components/loadbalancer/render-lb-scripts.ts). The staged file is the evidence: it is what gets installed.
 * The object store's S3 front has its own file, which its own unit reads (components/storage/s3-haproxy-paths.ts).
 */
const HAPROXY_SOURCES = [HAPROXY_CFG, LB_PATHS.stagedHaproxyCfg, S3_HAPROXY_CONFIG];
const KEEPALIVED_SOURCES = [KEEPALIVED_CONF, LB_PATHS.stagedKeepalivedConf];

export const isHaproxyConfig = (path: string): boolean => HAPROXY_SOURCES.includes(path);
export const isKeepalivedConfig = (path: string): boolean => KEEPALIVED_SOURCES.includes(path);

/** The haproxy.cfg the stack delivers to each VM, read. */
export function haproxyConfigs(files: readonly DeliveredFile[]): { file: DeliveredFile; sections: HaproxySection[] }[] {
  return files.filter((f) => isHaproxyConfig(f.path)).map((file) => ({ file, sections: parseHaproxyConfig(file.content) }));
}

/** The keepalived.conf the stack delivers to each VM, read. */
export function keepalivedConfigs(files: readonly DeliveredFile[]): { file: DeliveredFile; tree: KeepalivedBlock[] }[] {
  return files.filter((f) => isKeepalivedConfig(f.path)).map((file) => ({ file, tree: parseKeepalivedConfig(file.content) }));
}
