import type { PlatformSpec } from "../spec/schema";
import type { PlatformModel } from "../model/types";
import { databaseTier } from "./tier";

/**
 * How the database's clients (the API, FRS) reach the primary: the `databasePrimary` virtual address, which
 * keepalived on the database VMs moves to whichever server is the primary, under a name every database server's
 * certificate carries, so that a client verifies the name whichever server answers.
 */
export interface DatabaseService {
  serverName: string;
  address: string;
  port: number;
}

export function databaseService(spec: PlatformSpec, model: Pick<PlatformModel, "virtualIps">): DatabaseService {
  const address = model.virtualIps[databaseTier.virtualAddresses[0].name];
  if (!address) throw new Error("the model has no databasePrimary virtual address");
  return { serverName: `db.${spec.site.domain}`, address, port: Number(databaseTier.servicePort?.(spec).port) };
}
