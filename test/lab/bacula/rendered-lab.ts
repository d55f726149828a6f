import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadStackFile, stackFilePath } from "../../../components/spec/load";
import type { BaculaClient, BaculaPlan } from "../../../backup/bacula/bacula-plan";
import { pathsBelow } from "../../../backup/bacula/bacula-test-stand";
import { tlsFilesFor, type BaculaPaths, type BaculaTlsRole } from "../../../backup/bacula/paths";
import { deriveBaculaPlan, renderBconsoleConf, renderDirectorConf, renderFileDaemonConf, renderStorageDaemonConf, type BaculaSecrets } from "../../../backup/bacula/render-files";
import { photoRotation } from "../../../backup/rotation/hanoi-plan";
import { requireTool } from "../../support/require-tool";
import { freePort } from "../drbd/guest";
import { runChecked } from "../run";
import { makeLabCa, makeServerCertificate } from "../tls";
import { Bconsole } from "./bconsole";
import { catalogSchema, DaemonSet } from "./daemons";
import { loopbackRewrite, type LoopbackRewrite } from "./loopback-rewrite";
import { makePkiKeypair, type PkiKeypair } from "./pki";

// The lab stack's Bacula files as the renderers produce them (backup/bacula/render-files.ts), run on 127.0.0.1:
// the director, the storage daemon (its DRBD device and its NAS device are two directories under the lab root),
// and file daemons for the clients a test names, every one with its own paths table below the lab root (the
// renderers' input), its own certificate from a throwaway CA with the plan's certificate name, its own PKI
// keypair and the lab's master certificate. The text itself changes only in loopbackRewrite (one function,
// documented there). The lab stack's real master certificate is replaced by a lab master pair: its private key
// is kept offline and a restore with the master key needs it.

export const PROJECT_DIR = path.resolve(__dirname, "../../..");

export interface RenderedLab {
  root: string;
  plan: BaculaPlan;
  /** The director and storage daemon's paths table (the backup VM's). */
  paths: BaculaPaths;
  /** Each started client's paths table (its VM's). */
  clientPaths(name: string): BaculaPaths;
  /** A full-access bconsole (the director's own password; the rendered ibac-console may not delete jobs). */
  admin: Bconsole;
  /** The rendered bconsole.conf's named console (the runbooks'). */
  console: Bconsole;
  master: PkiKeypair;
  /** Where the photo export lands (the Photos file set's one directory). */
  photosDir: string;
  /** The database backup directory the Database file set saves (lab path). */
  databaseBackupDir: string;
  restoreRoot: string;
  /** Restarts a client's file daemon with another PKI keypair (the master's, or an unrelated one), its own removed. */
  restartClientWithKeypair(name: string, keypair: string): Promise<void>;
  volumes(device: "drbd" | "nas"): string[];
  logs(): string;
  stop(): Promise<void>;
}

const password = (): string => crypto.randomBytes(24).toString("base64url");

export async function startRenderedLab(clientNames: readonly string[]): Promise<RenderedLab> {
  const tools = {
    dir: requireTool("bacula-dir", "bacula-director bacula-director-sqlite3"),
    sd: requireTool("bacula-sd", "bacula-sd"),
    fd: requireTool("bacula-fd", "bacula-fd"),
    bconsole: requireTool("bconsole", "bacula-console"),
    sqlite3: requireTool("sqlite3", "sqlite3"),
    openssl: requireTool("openssl", "openssl"),
  };
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-bacula-rendered-"));
  const daemons = new DaemonSet(root);
  try {
    const paths = pathsBelow(path.join(root, "bkp"));
    const loaded = loadStackFile(stackFilePath(PROJECT_DIR, "lab"));
    const plan = deriveBaculaPlan(loaded.spec, loaded.model, photoRotation(loaded.spec.backupPolicy.photos), paths);
    const clients = clientNames.map((n) => {
      const c = plan.clients.find((x) => x.name === n);
      if (!c) throw new Error(`the lab stack's plan has no client ${n} (has ${plan.clients.map((x) => x.name).join(", ")})`);
      return c;
    });
    const secrets: BaculaSecrets = {
      directorPassword: password(),
      consolePassword: password(),
      storagePassword: password(),
      clientPasswords: Object.fromEntries(plan.clients.map((c) => [c.name, password()])),
    };
    const cPaths = new Map<string, BaculaPaths>(clients.map((c) => [c.name, pathsBelow(path.join(root, c.name))]));
    const mkdirs = (p: BaculaPaths): void => {
      for (const d of [p.configDir, p.tlsDir, path.dirname(p.pkiKeypair), p.directorWorkingDirectory, p.storageWorkingDirectory, p.volumeDirectory, p.nasMountPoint, p.fileDaemonWorkingDirectory, p.pidDirectory, path.dirname(p.nasMountCommand), p.photoExportDirectory, p.restoreDirectory]) {
        fs.mkdirSync(d, { recursive: true, mode: 0o700 });
      }
    };
    mkdirs(paths);
    for (const p of cPaths.values()) mkdirs(p);

    // Certificates with the plan's names (what the peers list in TLS Allowed CN) and 127.0.0.1, the dialled address.
    const ca = await makeLabCa(path.join(root, "ca"), tools.openssl);
    const certify = async (p: BaculaPaths, role: BaculaTlsRole, name: string): Promise<void> => {
      const f = tlsFilesFor(p, role);
      fs.copyFileSync(ca.cert, f.caCertificate);
      await makeServerCertificate(ca, { commonName: name, dnsNames: [name, "127.0.0.1"], ipAddresses: ["127.0.0.1"], certFile: f.certificate, keyFile: f.key }, tools.openssl);
    };
    await certify(paths, "director", plan.director.tlsName);
    await certify(paths, "storage", plan.storageDaemon.tlsName);
    await certify(paths, "console", plan.console.tlsName);
    const pkiDir = path.join(root, "pki");
    const master = await makePkiKeypair(pkiDir, "master", tools.openssl);
    // The file daemons read the master certificate where the plan says (plan.masterCertificatePath).
    fs.mkdirSync(path.dirname(plan.masterCertificatePath), { recursive: true });
    fs.copyFileSync(master.cert, plan.masterCertificatePath);
    for (const c of clients) {
      const p = cPaths.get(c.name) as BaculaPaths;
      await certify(p, "fileDaemon", c.tlsName);
      const own = await makePkiKeypair(pkiDir, c.name, tools.openssl);
      fs.renameSync(own.keypair, p.pkiKeypair);
      fs.copyFileSync(master.cert, p.pkiMasterCertificate);
    }

    // Stand-ins the rendered files call: the NAS mount (the NAS is a local directory here: sshfs is not run) and
    // the photo export from MinIO (the test writes the tree into the export directory itself).
    for (const script of [paths.nasMountCommand, paths.nasUnmountCommand, paths.photoExportCommand]) {
      fs.mkdirSync(path.dirname(script), { recursive: true });
      fs.writeFileSync(script, "#!/bin/sh\n# loopback lab stand-in\nexit 0\n", { mode: 0o700 });
    }
    const databaseFileSet = plan.fileSets.find((f) => f.name === "Database");
    const databaseBackupDir = path.join(root, "srv/backup/mariadb");
    fs.mkdirSync(databaseBackupDir, { recursive: true });
    const rewrite: LoopbackRewrite = {
      ports: { director: await freePort(), storage: await freePort(), clients: Object.fromEntries(await Promise.all(clients.map(async (c) => [c.name, await freePort()] as const))) },
      fileSetPaths: databaseFileSet ? { [databaseFileSet.include[0]]: databaseBackupDir } : {},
    };
    const write = (file: string, text: string): string => {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text, { mode: 0o600 });
      return file;
    };
    write(paths.directorConf, loopbackRewrite("director", renderDirectorConf(plan, secrets, paths), rewrite));
    write(paths.storageConf, loopbackRewrite("storage", renderStorageDaemonConf(plan, secrets, paths), rewrite));
    write(paths.bconsoleConf, loopbackRewrite("console", renderBconsoleConf(plan, secrets, paths), rewrite));
    const renderFd = (c: BaculaClient, p: BaculaPaths): string => write(p.fileDaemonConf, loopbackRewrite("fileDaemon", renderFileDaemonConf(plan, c.name, secrets, p), rewrite));
    for (const c of clients) renderFd(c, cPaths.get(c.name) as BaculaPaths);
    // The unrestricted console: the director's own password, the console's certificate (the director allows it).
    const consoleTls = tlsFilesFor(paths, "console");
    const adminConf = write(path.join(root, "admin-bconsole.conf"), [
      "Director {", `  Name = "${plan.director.name}"`, `  DIRport = ${rewrite.ports.director}`, '  Address = "127.0.0.1"', `  Password = "${secrets.directorPassword}"`,
      "  TLS Enable = yes", "  TLS Require = yes", `  TLS CA Certificate File = "${consoleTls.caCertificate}"`, `  TLS Certificate = "${consoleTls.certificate}"`, `  TLS Key = "${consoleTls.key}"`, "}", "",
    ].join("\n"));

    await runChecked(tools.sqlite3, [path.join(plan.director.workingDirectory, "bacula.db")], { input: catalogSchema() });
    await daemons.start("storage", tools.sd, paths.storageConf, rewrite.ports.storage);
    for (const c of clients) await daemons.start(c.name, tools.fd, (cPaths.get(c.name) as BaculaPaths).fileDaemonConf, rewrite.ports.clients[c.name]);
    await daemons.start("director", tools.dir, paths.directorConf, rewrite.ports.director);
    const admin = new Bconsole(tools.bconsole, adminConf);
    await admin.waitReady();
    const nasDevice = plan.devices.find((d) => d.mount !== undefined);
    const drbdDevice = plan.devices.find((d) => d.mount === undefined);
    if (!nasDevice || !drbdDevice) throw new Error("the plan has no NAS device and DRBD device");
    const dirOf = (device: "drbd" | "nas"): string => (device === "nas" ? nasDevice : drbdDevice).archiveDirectory;
    const photosDir = plan.fileSets.find((f) => f.name === "Photos")?.include[0];
    if (!photosDir) throw new Error("the plan has no Photos file set");
    fs.mkdirSync(photosDir, { recursive: true, mode: 0o700 });
    let stopped = false;
    return {
      root,
      plan,
      paths,
      clientPaths: (name) => {
        const p = cPaths.get(name);
        if (!p) throw new Error(`client ${name} is not in this lab`);
        return p;
      },
      admin,
      console: new Bconsole(tools.bconsole, paths.bconsoleConf),
      master,
      photosDir,
      databaseBackupDir,
      restoreRoot: paths.restoreDirectory,
      restartClientWithKeypair: async (name, keypair) => {
        const c = clients.find((x) => x.name === name);
        const p = cPaths.get(name);
        if (!c || !p) throw new Error(`client ${name} is not in this lab`);
        await daemons.stop(name);
        fs.rmSync(p.pkiKeypair, { force: true });
        // A fresh file daemon under the client's name: the same rendered file, PKI Keypair naming the given pair.
        renderFd(c, { ...p, pkiKeypair: keypair });
        await daemons.start(name, tools.fd, p.fileDaemonConf, rewrite.ports.clients[name]);
      },
      volumes: (device) => {
        const dir = dirOf(device);
        return fs.readdirSync(dir).map((f) => path.join(dir, f)).filter((f) => fs.statSync(f).isFile());
      },
      logs: () => daemons.logs(),
      stop: async () => {
        if (stopped) return;
        stopped = true;
        await daemons.stopAll("director");
        if (!process.env.IBAC_LAB_KEEP) fs.rmSync(root, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await daemons.stopAll("director");
    if (!process.env.IBAC_LAB_KEEP) fs.rmSync(root, { recursive: true, force: true });
    throw e;
  }
}
