// For the backup policies' tests only: what the backup tier delivers to each VM of a stack, made by the same
// renderers the BackupTier component calls (Bacula's three configurations, the NAS mount script, the PKI files),
// with production paths, as the judge functions' input; and edits that break one file the way a renderer bug would.
import * as path from "node:path";
import { loadStackFile, stackFilePath } from "../../components/spec/load";
import { policyModelOf } from "../../components/model/policy-view";
import { backupPlanOf } from "../../components/backup/plan";
import { BACKUP_COMPONENT_PATHS } from "../../components/backup/paths";
import { renderNasMountScript } from "../../components/backup/render-nas-scripts";
import { baculaFilesFor } from "../../backup/bacula/render-files";
import { PRODUCTION_BACULA_PATHS as P } from "../../backup/bacula/paths";
import { baculaSecretNames } from "../../backup/bacula/secrets";
import type { DeliveredFile } from "../kit/rendered-files";
import type { BackupJudgeInput } from "./backup-judgement";

const projectDir = path.resolve(__dirname, "../..");
/** Stands in for a client's PKI keypair (certificate then key): the policies only look for its presence. */
const KEYPAIR = "-----BEGIN CERTIFICATE-----\nMIIBfixture\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nMIIBfixture\n-----END PRIVATE KEY-----\n";

/** The backup tier's files for every VM of `stack`, as judge input. */
export function renderedBackupInput(stack: string): BackupJudgeInput {
  const { spec, model } = loadStackFile(stackFilePath(projectDir, stack));
  const plan = backupPlanOf(spec, model);
  const names = baculaSecretNames(plan);
  const pw = (n: string): string => `Fixture${n.replace(/[^A-Za-z0-9]/g, "")}Password0123456789`;
  const secrets = { directorPassword: pw(names[0]), consolePassword: pw(names[1]), storagePassword: pw(names[2]), clientPasswords: Object.fromEntries(plan.clients.map((c) => [c.name, pw(c.name)])) };
  const files: DeliveredFile[] = [];
  for (const vm of model.vms) {
    const add = (p: string, content: string): void => {
      files.push({ vm: vm.name, path: p, urn: `urn:pulumi:${stack}::ibac::fixture::${vm.name}-config-${p}`, content });
    };
    for (const f of baculaFilesFor(plan, vm.name, secrets)) add(f.path, f.content);
    if (files.some((f) => f.vm === vm.name && f.path === P.fileDaemonConf)) {
      add(P.pkiKeypair, KEYPAIR);
      add(P.pkiMasterCertificate, spec.backupPolicy.encryption.masterCertificate);
    }
    if (plan.director.vms.includes(vm.name)) {
      add(P.nasMountCommand, renderNasMountScript(spec.backupPolicy.offsite, { mountPoint: P.nasMountPoint, privateKey: BACKUP_COMPONENT_PATHS.nasPrivateKey, knownHosts: BACKUP_COMPONENT_PATHS.nasKnownHosts }));
    }
  }
  return { spec, model: policyModelOf(model), urn: `urn:pulumi:${stack}::ibac::ibac:platform:IbacPlatform::platform`, files, pending: new Set(), vmUrn: (vm) => `urn:pulumi:${stack}::ibac::ibac:vm:DebianVm::${vm}` };
}

/** `input` with one file's text rewritten (the edit must change it: a test whose mutation changes nothing is wrong). */
export function editFile(input: BackupJudgeInput, vm: string, filePath: string, edit: (text: string) => string): BackupJudgeInput {
  let hits = 0;
  const files = input.files.map((f) => {
    if (f.vm !== vm || f.path !== filePath) return f;
    const content = edit(f.content);
    if (content === f.content) throw new Error(`editFile: the edit left ${vm}:${filePath} unchanged`);
    hits++;
    return { ...f, content };
  });
  if (!hits) throw new Error(`editFile: ${vm} gets no ${filePath}`);
  return { ...input, files };
}

/** `input` without the files matching. */
export function removeFiles(input: BackupJudgeInput, match: (f: DeliveredFile) => boolean): BackupJudgeInput {
  const files = input.files.filter((f) => !match(f));
  if (files.length === input.files.length) throw new Error("removeFiles: no file matched");
  return { ...input, files };
}
