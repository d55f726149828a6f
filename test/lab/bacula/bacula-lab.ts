import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import { requireTool } from "../../support/require-tool";
import { processAlive } from "../../support/process-alive";
import { freePort, listening } from "../drbd/guest";
import { runChecked, sleep } from "../run";
import { makeLabCa, makeServerCertificate, type LabCa } from "../tls";
import { Bconsole } from "./bconsole";
import { handBconsoleConf, handDirectorConf, handFileDaemonConf, handStorageConf, LAB_NAMES } from "./hand-configs";
import { clientByName, type LabClient, type LabLayout, type TlsFiles } from "./layout";
import { makePkiKeypair, type PkiKeypair } from "./pki";

// Real Bacula 9.6 daemons on 127.0.0.1: a director with a SQLite catalog, one storage daemon with a local device
// and a "NAS" device (two directories under the lab root), file daemons, and bconsole, all with TLS from a
// throwaway CA. Every daemon runs in the foreground (-f) with an absolute -c path (a relative one silently
// validates /etc/bacula instead) and TZ=UTC, on ports probed free; it is stopped by its PID.

export interface BaculaConfigs {
  director(l: LabLayout): string;
  storage(l: LabLayout): string;
  fileDaemon(l: LabLayout, c: LabClient): string;
  console(l: LabLayout): string;
}

export const HAND_CONFIGS: BaculaConfigs = {
  director: handDirectorConf,
  storage: handStorageConf,
  fileDaemon: handFileDaemonConf,
  console: handBconsoleConf,
};

export interface BaculaLabOptions {
  configs?: BaculaConfigs;
  /** File daemons started with the lab (the others are started by `startClient`). */
  start?: readonly string[];
  /** See LabLayout.directorStorageTls (default false: copy jobs hang with it on 9.6.7). */
  directorStorageTls?: boolean;
}

export interface BaculaLab {
  layout: LabLayout;
  bconsole: Bconsole;
  /** The master keypair (cert + key): the one thing kept outside the cluster. */
  master: PkiKeypair;
  /** Starts a file daemon of the layout (not yet running); resolves when it listens. */
  startClient(name: string): Promise<void>;
  /** Stops one file daemon by PID. */
  stopClient(name: string): Promise<void>;
  /** The volume files of a device directory (absolute paths). */
  volumes(device: "local" | "nas"): string[];
  /** Everything the daemons logged (director log, each daemon's stdout/stderr), for failure messages. */
  logs(): string;
  stop(): Promise<void>;
}

interface Daemon {
  name: string;
  child: ChildProcess;
  exited: Promise<void>;
  logFile: string;
}

const live = new Set<BaculaLab>();
process.once("exit", () => {
  for (const lab of live) {
    for (const pid of (lab as unknown as { pids(): number[] }).pids()) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        /* already gone */
      }
    }
    if (!process.env.IBAC_LAB_KEEP) fs.rmSync(lab.layout.root, { recursive: true, force: true });
  }
});

/** The SQL of Debian's make_sqlite3_tables (the heredoc it feeds to sqlite3), to create the catalog ourselves. */
export function catalogSchema(script = "/usr/share/bacula-director/make_sqlite3_tables"): string {
  if (!fs.existsSync(script)) throw new Error(`${script} is missing: apt-get install -y --no-install-recommends bacula-director-sqlite3`);
  const text = fs.readFileSync(script, "utf8");
  const m = /<<END-OF-DATA\n([\s\S]*?)\nEND-OF-DATA/.exec(text);
  if (!m) throw new Error(`${script}: no END-OF-DATA heredoc (the schema script changed)`);
  return m[1];
}

const password = (): string => crypto.randomBytes(24).toString("base64url");

export async function startBaculaLab(options: BaculaLabOptions = {}): Promise<BaculaLab> {
  const configs = options.configs ?? HAND_CONFIGS;
  const tools = {
    dir: requireTool("bacula-dir", "bacula-director bacula-director-sqlite3"),
    sd: requireTool("bacula-sd", "bacula-sd"),
    fd: requireTool("bacula-fd", "bacula-fd"),
    bconsole: requireTool("bconsole", "bacula-console"),
    sqlite3: requireTool("sqlite3", "sqlite3"),
    openssl: requireTool("openssl", "openssl"),
  };
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-bacula-lab-"));
  const daemons = new Map<string, Daemon>();
  let stopped = false;

  const stopDaemon = async (d: Daemon): Promise<void> => {
    const pid = d.child.pid;
    if (pid !== undefined && d.child.exitCode === null && d.child.signalCode === null) {
      process.kill(pid, "SIGTERM");
      const gone = await Promise.race([d.exited.then(() => true), sleep(5000).then(() => false)]);
      if (!gone && processAlive(pid)) {
        process.kill(pid, "SIGKILL");
        await d.exited;
      }
    }
    daemons.delete(d.name);
  };

  try {
    const ca = await makeLabCa(path.join(root, "ca"), tools.openssl);
    const tlsFor = async (name: string): Promise<TlsFiles> => {
      const dir = path.join(root, "tls");
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      const cert = path.join(dir, `${name}.pem`);
      const key = path.join(dir, `${name}-key.pem`);
      // Bacula checks the server's certificate against the address it dialled: 127.0.0.1 as a DNS name too.
      await makeServerCertificate(ca as LabCa, { commonName: name, dnsNames: [name, "127.0.0.1"], ipAddresses: ["127.0.0.1"], certFile: cert, keyFile: key }, tools.openssl);
      return { ca: ca.cert, cert, key, commonName: name };
    };
    const pkiDir = path.join(root, "pki");
    const master = await makePkiKeypair(pkiDir, "master", tools.openssl);
    const dirOf = (name: string): string => {
      const d = path.join(root, name);
      fs.mkdirSync(d, { recursive: true, mode: 0o700 });
      return d;
    };

    const clientNames = [LAB_NAMES.photosClient, LAB_NAMES.databaseClient, LAB_NAMES.masterClient, LAB_NAMES.wrongClient];
    const clients: LabClient[] = [];
    for (const name of clientNames) {
      const own = name === LAB_NAMES.masterClient ? master : await makePkiKeypair(pkiDir, name, tools.openssl);
      const dir = dirOf(name);
      clients.push({
        name,
        port: await freePort(),
        password: password(),
        dir,
        conf: path.join(dir, "bacula-fd.conf"),
        tls: await tlsFor(name),
        pkiKeypair: own.keypair,
        // The restore-only clients encrypt nothing; the backup clients encrypt for the master too.
        ...(name === LAB_NAMES.photosClient || name === LAB_NAMES.databaseClient ? { pkiMasterKey: master.cert } : {}),
      });
    }
    const directorDir = dirOf("director");
    const storageDir = dirOf("storage");
    const layout: LabLayout = {
      root,
      director: {
        name: "backup-dir", port: await freePort(), password: password(), dir: directorDir, conf: path.join(directorDir, "bacula-dir.conf"),
        tls: await tlsFor("backup-dir"), catalogFile: path.join(directorDir, "bacula.db"), log: path.join(directorDir, "bacula.log"),
      },
      storage: { name: "backup-sd", port: await freePort(), password: password(), dir: storageDir, conf: path.join(storageDir, "bacula-sd.conf"), tls: await tlsFor("backup-sd") },
      devices: {
        local: { storage: "Local", device: "Local-Device", mediaType: "File-Local", dir: dirOf("volumes-local") },
        nas: { storage: "NAS", device: "NAS-Device", mediaType: "File-NAS", dir: dirOf("volumes-nas") },
      },
      clients,
      console: { conf: path.join(root, "bconsole.conf"), tls: await tlsFor("bconsole") },
      restoreRoot: dirOf("restores"),
      photosDir: dirOf("data/photos"),
      databaseBackupDir: dirOf("data/database-backup"),
      directorStorageTls: options.directorStorageTls ?? false,
    };

    const writeSecret = (file: string, text: string): void => fs.writeFileSync(file, text, { mode: 0o600 });
    writeSecret(layout.director.conf, configs.director(layout));
    writeSecret(layout.storage.conf, configs.storage(layout));
    for (const c of clients) writeSecret(c.conf, configs.fileDaemon(layout, c));
    writeSecret(layout.console.conf, configs.console(layout));
    await runChecked(tools.sqlite3, [layout.director.catalogFile], { input: catalogSchema() });
    fs.chmodSync(layout.director.catalogFile, 0o600);

    const startDaemon = async (name: string, binary: string, conf: string, port: number): Promise<void> => {
      const test = await runChecked(binary, ["-t", "-c", conf]).catch((e: Error) => {
        throw new Error(`${name}: its config does not parse (${conf}):\n${e.message}`);
      });
      void test;
      const logFile = path.join(root, `${name}.out`);
      const out = fs.openSync(logFile, "a");
      const child = spawn(binary, ["-f", "-c", conf], { env: { ...process.env, TZ: "UTC" }, stdio: ["ignore", out, out] });
      fs.closeSync(out);
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      daemons.set(name, { name, child, exited, logFile });
      for (let i = 0; i < 200; i++) {
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}):\n${fs.readFileSync(logFile, "utf8")}`);
        if (listening(port)) return;
        await sleep(50);
      }
      throw new Error(`${name} did not listen on 127.0.0.1:${port} within 10 s:\n${fs.readFileSync(logFile, "utf8")}`);
    };

    await startDaemon(layout.storage.name, tools.sd, layout.storage.conf, layout.storage.port);
    for (const name of options.start ?? [LAB_NAMES.photosClient, LAB_NAMES.databaseClient]) {
      const c = clientByName(layout, name);
      await startDaemon(c.name, tools.fd, c.conf, c.port);
    }
    await startDaemon(layout.director.name, tools.dir, layout.director.conf, layout.director.port);
    const bconsole = new Bconsole(tools.bconsole, layout.console.conf);
    await bconsole.waitReady();

    const logs = (): string => {
      const parts: string[] = [];
      for (const file of [layout.director.log, ...fs.readdirSync(root).filter((f) => f.endsWith(".out")).map((f) => path.join(root, f))]) {
        if (fs.existsSync(file)) parts.push(`--- ${file}\n${fs.readFileSync(file, "utf8").slice(-8000)}`);
      }
      return parts.join("\n");
    };
    const lab: BaculaLab & { pids(): number[] } = {
      layout,
      bconsole,
      master,
      startClient: async (name) => {
        const c = clientByName(layout, name);
        if (daemons.has(name)) return;
        await startDaemon(c.name, tools.fd, c.conf, c.port);
      },
      stopClient: async (name) => {
        const d = daemons.get(name);
        if (d) await stopDaemon(d);
      },
      volumes: (device) => {
        const dir = layout.devices[device].dir;
        return fs.readdirSync(dir).map((f) => path.join(dir, f)).filter((f) => fs.statSync(f).isFile());
      },
      logs,
      pids: () => [...daemons.values()].map((d) => d.child.pid).filter((p): p is number => p !== undefined),
      stop: async () => {
        if (stopped) return;
        stopped = true;
        // The director first, so it does not log the others' going away as job errors.
        const order = [layout.director.name, ...[...daemons.keys()].filter((n) => n !== layout.director.name)];
        for (const name of order) {
          const d = daemons.get(name);
          if (d) await stopDaemon(d);
        }
        live.delete(lab);
        if (!process.env.IBAC_LAB_KEEP) fs.rmSync(root, { recursive: true, force: true });
      },
    };
    live.add(lab);
    return lab;
  } catch (e) {
    for (const d of [...daemons.values()]) await stopDaemon(d);
    if (!process.env.IBAC_LAB_KEEP) fs.rmSync(root, { recursive: true, force: true });
    throw e;
  }
}
