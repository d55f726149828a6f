// The photos' backup jobs in a director's configuration: the Backup jobs whose client is the object store's file
// daemon (the one the object-store VMs' bacula-fd.conf declare), and the schedule each runs on.
import type { PolicyModel } from "../../components/model/policy-view";
import { directiveValue, findResource, resourceName, resourcesOf, type BaculaResource } from "./bacula-config-reader";
import { jobValue, jobsOfType, type BaculaConf, type BaculaEvidence } from "./bacula-files";

/** The file daemon names the object-store VMs' bacula-fd.conf declare. */
export function objectStoreClientNames(evidence: BaculaEvidence, model: PolicyModel): Set<string> {
  const vms = new Set(model.vms.filter((v) => v.tier === "objectStore").map((v) => v.name));
  return new Set(evidence.fileDaemons.filter((fd) => vms.has(fd.vm)).flatMap((fd) => resourcesOf(fd.resources, "FileDaemon").map((r) => resourceName(r) ?? "")));
}

export interface PhotoJob {
  job: BaculaResource;
  name: string;
  client: string;
  scheduleName: string | undefined;
  schedule: BaculaResource | undefined;
}

/** The director's Backup jobs of an object-store client. */
export function photoJobs(director: BaculaConf, clients: ReadonlySet<string>): PhotoJob[] {
  return jobsOfType(director, "Backup").flatMap((job): PhotoJob[] => {
    const client = jobValue(director, job, "Client");
    if (client === undefined || !clients.has(client)) return [];
    const scheduleName = jobValue(director, job, "Schedule");
    const schedule = scheduleName === undefined ? undefined : findResource(director.resources, "Schedule", scheduleName);
    return [{ job, name: resourceName(job) ?? "", client, scheduleName, schedule }];
  });
}

/** A job's File Set's Include `File` paths. */
export function fileSetPaths(director: BaculaConf, job: BaculaResource): string[] | undefined {
  const name = jobValue(director, job, "FileSet");
  const fileSet = name === undefined ? undefined : findResource(director.resources, "FileSet", name);
  if (!fileSet) return undefined;
  return resourcesOf(fileSet.blocks, "Include").flatMap((inc) => inc.directives.filter((d) => d.key === "file").map((d) => d.value));
}

/** A client's Address in the director. */
export function clientAddress(director: BaculaConf, client: string): string | undefined {
  const resource = findResource(director.resources, "Client", client);
  return resource ? directiveValue(resource, "Address") : undefined;
}
