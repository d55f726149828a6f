import { deliveredFiles } from "../kit/rendered-files";
import { isDelivered, pendingFiles } from "../kit/pending-files";
import { stackPolicy } from "../kit/define-policy";
import { reportFinding } from "../kit/report-finding";
import type { IbacStackPolicy } from "../kit/types";
import { vmUrn } from "../kit/platform-view";
import { LB_PATHS } from "../../components/loadbalancer/paths";
import { bindsOf, hasFlag, linesStartingWith, optionValue, serversOf, type HaproxySection } from "./haproxy-config";
import { blocksNamed, childBlockLines } from "./keepalived-config";
import { HAPROXY_CFG, KEEPALIVED_CONF, haproxyConfigs, isHaproxyConfig, isKeepalivedConfig, keepalivedConfigs } from "./load-balancer-files";

const FRONT_PORT = "443";
const STAGED = [LB_PATHS.stagedHaproxyCfg, LB_PATHS.stagedKeepalivedConf];

/** The port of an `address:port` (HAProxy's bind and server syntax). */
const portOf = (address: string): string => address.slice(address.lastIndexOf(":") + 1);
const hostOf = (address: string): string => address.slice(0, address.lastIndexOf(":"));

/** The health-check path a backend asks: `http-check send ... uri P` (2.2+) or `option httpchk [METH] P`. */
function healthCheckPath(backend: HaproxySection): string | undefined {
  const send = linesStartingWith(backend, "http-check", "send").map((l) => optionValue(l.words, "uri")).find((p) => p !== undefined);
  if (send !== undefined) return send;
  const httpchk = linesStartingWith(backend, "option", "httpchk")[0];
  if (!httpchk) return undefined;
  const rest = httpchk.words.slice(2);
  return rest.length >= 2 ? rest[1] : rest[0];
}

/**
 * Seed design, "Server unavailability": the API runs on several VMs behind a redundant load balancer with
 * monitoring that detects and recovers from failures. Judged from what each load-balancer VM gets: keepalived
 * holds the API's virtual address with every other load balancer as its unicast peer (so the address moves when
 * one dies); HAProxy terminates TLS on that address and sends requests only to API instances that pass the
 * health path's check, retrying and redispatching a request that a dying instance drops.
 */
export function apiBehindLoadBalancerPolicy(): IbacStackPolicy {
  return stackPolicy({
    name: "api-behind-load-balancer",
    description:
      "Every load-balancer VM holds the API's virtual address in keepalived with the other load balancers as peers, and HAProxy terminates TLS there and balances over every API instance with an HTTP health check on the API's health path, retries and redispatch.",
    requirements: ["IBAC-API-001"],
    severity: "high",
    enforcementLevel: "mandatory",
  }, async (view, resources, report) => {
    const { model, spec } = view;
    const vip = model.virtualIps.loadBalancer;
    const lbs = model.vms.filter((v) => v.tier === "loadBalancer");
    const apis = model.vms.filter((v) => v.tier === "api");
    const serviceAddress = (vm: (typeof lbs)[number]): string | undefined => vm.nics.find((n) => n.network === "service")?.address;
    const files = await deliveredFiles(resources, model);
    const pending = await pendingFiles(resources, model);
    const haproxy = haproxyConfigs(files);
    const keepalived = keepalivedConfigs(files);

    if (lbs.length < 2) {
      reportFinding(report, { subject: "the load balancer", observed: `${lbs.length} load-balancer VM(s)`, expected: "two or more, so the API's address has somewhere to move", urn: view.urn, location: "model.vms" });
    }
    for (const lb of lbs) {
      const urn = vmUrn(resources, lb.name, view.urn);
      const missing = (path: string, matches: (p: string) => boolean, what: string): void => {
        const here = files.some((f) => f.vm === lb.name && matches(f.path)) || [HAPROXY_CFG, KEEPALIVED_CONF, ...STAGED].some((p) => matches(p) && isDelivered(files, pending, lb.name, p));
        if (!here) reportFinding(report, { subject: `${what} on ${lb.name}`, observed: `no ${path} delivered`, expected: `${path} rendered by the stack`, urn });
      };
      missing(KEEPALIVED_CONF, isKeepalivedConfig, "keepalived");
      missing(HAPROXY_CFG, isHaproxyConfig, "HAProxy");

      const ka = keepalived.find((k) => k.file.vm === lb.name);
      if (ka) {
        const instance = blocksNamed(ka.tree, "vrrp_instance").find((b) => childBlockLines(b, "virtual_ipaddress").some((l) => l[0]?.split("/")[0] === vip));
        if (!instance) {
          reportFinding(report, { subject: `the API's address on ${lb.name}`, observed: `no vrrp_instance holds ${vip}`, expected: `a vrrp_instance with ${vip} in virtual_ipaddress`, urn: ka.file.urn, location: ka.file.path });
        } else {
          const peers = childBlockLines(instance, "unicast_peer").map((l) => l[0]);
          const others = lbs.filter((o) => o.name !== lb.name).map((o) => ({ name: o.name, address: serviceAddress(o) }));
          const absent = others.filter((o) => !o.address || !peers.includes(o.address));
          if (absent.length || !peers.length) {
            reportFinding(report, {
              subject: `keepalived peers of ${lb.name}`,
              observed: peers.length ? `unicast_peer ${peers.join(", ")} (missing ${absent.map((o) => `${o.name} ${o.address ?? ""}`.trim()).join(", ")})` : "no unicast_peer",
              expected: `every other load balancer as a unicast peer: ${others.map((o) => `${o.name} ${o.address ?? "(no address)"}`).join(", ")}`,
              urn: ka.file.urn,
              location: `${ka.file.path}: vrrp_instance ${instance.words[1] ?? ""}.unicast_peer`,
            });
          }
        }
      }

      const hp = haproxy.find((h) => h.file.vm === lb.name);
      if (!hp) continue;
      const location = (section: HaproxySection, what = ""): string => `${hp.file.path}: ${section.kind} ${section.name}${what ? ` ${what}` : ""}`.trimEnd();
      const fronts = hp.sections.filter((s) => s.kind === "frontend" || s.kind === "listen");
      const tlsBind = fronts.flatMap(bindsOf).find((b) => portOf(b.address) === FRONT_PORT && [vip, "", "*", "0.0.0.0"].includes(hostOf(b.address)));
      if (!tlsBind) {
        reportFinding(report, { subject: `the API's front end on ${lb.name}`, observed: `no bind on ${vip}:${FRONT_PORT}`, expected: `a frontend bound to ${vip}:${FRONT_PORT}`, urn: hp.file.urn, location: hp.file.path });
      } else if (!hasFlag(tlsBind.words, "ssl") || optionValue(tlsBind.words, "crt") === undefined) {
        reportFinding(report, { subject: `the API's front end on ${lb.name}`, observed: `bind ${tlsBind.address} ${tlsBind.words.join(" ")}`, expected: "ssl crt <certificate>: TLS terminated by HAProxy under the TLS policy", urn: hp.file.urn, location: location(tlsBind.section, `(line ${tlsBind.line})`) });
      }

      const apiTargets = new Map(apis.map((a) => [`${serviceAddress(a) ?? ""}:${spec.api.port}`, a.name]));
      const backends = hp.sections.filter((s) => (s.kind === "backend" || s.kind === "listen") && serversOf(s).some((srv) => apiTargets.has(srv.address)));
      if (!backends.length) {
        reportFinding(report, { subject: `the API instances behind ${lb.name}`, observed: "no backend with the API instances' addresses", expected: `a backend with ${[...apiTargets.keys()].join(", ")}`, urn: hp.file.urn, location: hp.file.path });
        continue;
      }
      const defaults = hp.sections.filter((s) => s.kind === "defaults");
      for (const backend of backends) {
        const servers = serversOf(backend);
        const listed = new Set(servers.map((s) => s.address));
        const absent = [...apiTargets].filter(([address]) => !listed.has(address)).map(([address, name]) => `${name} ${address}`);
        if (absent.length) {
          reportFinding(report, { subject: `the API instances behind ${lb.name}`, observed: `backend ${backend.name} lacks ${absent.join(", ")}`, expected: "every API instance in the backend", urn: hp.file.urn, location: location(backend) });
        }
        for (const server of servers.filter((s) => !hasFlag(s.words, "check"))) {
          reportFinding(report, { subject: `health check of ${server.name} behind ${lb.name}`, observed: `server ${server.name} ${server.address} without check`, expected: "check on every server: HAProxy stops sending to an instance that fails it", urn: hp.file.urn, location: location(backend, `server ${server.name}`) });
        }
        const path = healthCheckPath(backend);
        if (path !== spec.api.healthPath) {
          reportFinding(report, {
            subject: `health check of the API behind ${lb.name}`,
            observed: path === undefined ? "no HTTP check (option httpchk / http-check send): a TCP connect passes an instance that cannot serve" : `checks ${path}`,
            expected: `option httpchk with http-check send meth GET uri ${spec.api.healthPath} (the API's health path)`,
            urn: hp.file.urn,
            location: location(backend),
          });
        }
        const setting = (...keyword: string[]): boolean => [backend, ...defaults].some((s) => linesStartingWith(s, ...keyword).length > 0);
        const absentRecovery = [
          ...(setting("retries") ? [] : ["retries"]),
          ...(setting("option", "redispatch") ? [] : ["option redispatch"]),
          ...(setting("retry-on") ? [] : ["retry-on"]),
        ];
        if (absentRecovery.length) {
          reportFinding(report, {
            subject: `requests to a failing API instance behind ${lb.name}`,
            observed: `no ${absentRecovery.join(", no ")} in backend ${backend.name} or defaults`,
            expected: "retries, option redispatch and retry-on: a request a dying instance drops is sent to another",
            urn: hp.file.urn,
            location: location(backend),
          });
        }
      }
    }
  });
}
