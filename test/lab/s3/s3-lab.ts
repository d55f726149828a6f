import * as fs from "node:fs";
import * as https from "node:https";
import * as path from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import { requireTool } from "../../support/require-tool";
import { makeLabCa, makeServerCertificate, type LabCa } from "../tls";
import { freePort } from "../drbd/guest";
import { sleep } from "../run";

// A real S3 server and a real S3 client for the FRS archive test, from the trixie chroot that
// scripts/build-s3-lab.sh builds: python3-moto's server (it enforces bucket versioning) with TLS from a lab CA,
// and minio-client, Debian's build of the MinIO client `mc` (installed as `minio-client`; a Go binary that
// needs only libc, so it runs from the chroot's /usr/bin on the host as it is).

export const PROJECT_DIR = path.resolve(__dirname, "../../..");
export const S3_LAB_DIR = path.join(PROJECT_DIR, "out/s3-lab");
/** The name the lab's server certificate carries; mc reaches it through --resolve, so no DNS is involved. */
export const LAB_S3_NAME = "s3.ibac.test";

export interface S3LabChroot {
  root: string;
  /** The MinIO client, run from the chroot on the host. */
  mc: string;
}

/** The chroot, or an Error naming the script that builds it (and the package that script needs). */
export function requireS3Lab(dir = S3_LAB_DIR): S3LabChroot {
  if (!fs.existsSync(path.join(dir, ".complete"))) {
    // The script that builds it needs mmdebstrap: say which package first.
    requireTool("mmdebstrap", "mmdebstrap");
    throw new Error(`the S3 lab chroot ${dir} is missing: run scripts/build-s3-lab.sh (it needs root and mmdebstrap)`);
  }
  const mc = path.join(dir, "usr/bin/minio-client");
  if (!fs.existsSync(mc)) throw new Error(`${mc} is missing: rebuild the chroot (rm -rf ${dir}; scripts/build-s3-lab.sh)`);
  return { root: dir, mc };
}

export interface LabTls {
  /** A directory inside the chroot (so moto reads the certificate), as the host sees it and as the chroot does. */
  hostDir: string;
  chrootDir: string;
  ca: LabCa;
  certFile: string;
  keyFile: string;
}

/** A lab CA and a server certificate for LAB_S3_NAME and 127.0.0.1, in a fresh directory under the chroot's /tmp. */
export async function makeLabTls(lab: S3LabChroot): Promise<LabTls> {
  const openssl = requireTool("openssl", "openssl");
  const hostDir = fs.mkdtempSync(path.join(lab.root, "tmp", "ibac-s3-lab-"));
  fs.chmodSync(hostDir, 0o755);
  const ca = await makeLabCa(path.join(hostDir, "ca"), openssl);
  const certFile = path.join(hostDir, "server.pem");
  const keyFile = path.join(hostDir, "server-key.pem");
  await makeServerCertificate(ca, { commonName: LAB_S3_NAME, dnsNames: [LAB_S3_NAME], ipAddresses: ["127.0.0.1"], certFile, keyFile }, openssl);
  return { hostDir, chrootDir: `/${path.relative(lab.root, hostDir)}`, ca, certFile, keyFile };
}

export interface MotoServer {
  port: number;
  pid: number;
  /** SIGKILL, then wait for the exit. */
  kill9(): Promise<void>;
  stop(): Promise<void>;
  log(): string;
}

/** moto's S3 server over TLS on 127.0.0.1:<free port>, inside the chroot; resolves once it answers. */
export async function startMoto(lab: S3LabChroot, tls: LabTls): Promise<MotoServer> {
  const chroot = requireTool("chroot", "coreutils");
  const port = await freePort();
  const logFile = path.join(tls.hostDir, `moto-${port}.log`);
  const out = fs.openSync(logFile, "a");
  const child: ChildProcess = spawn(chroot, [lab.root, "moto_server", "-H", "127.0.0.1", "-p", String(port),
    "-c", path.posix.join(tls.chrootDir, "server.pem"), "-k", path.posix.join(tls.chrootDir, "server-key.pem")], {
    // Path-style buckets for any host name (moto otherwise reads `s3.` names as virtual-host buckets).
    env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", S3_IGNORE_SUBDOMAIN_BUCKETNAME: "true", HOME: "/root" },
    stdio: ["ignore", out, out],
  });
  fs.closeSync(out);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const pid = child.pid;
  if (pid === undefined) throw new Error("moto_server did not start");
  const log = (): string => fs.readFileSync(logFile, "utf8");
  const kill9 = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) process.kill(pid, "SIGKILL");
    await exited;
  };
  const ca = fs.readFileSync(tls.ca.cert);
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}:\n${log()}`);
    const up = await new Promise<boolean>((resolve) => {
      const req = https.get({ host: "127.0.0.1", port, path: "/", ca, servername: LAB_S3_NAME, timeout: 1000 }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on("error", () => resolve(false));
      req.on("timeout", () => req.destroy());
    });
    if (up) return { port, pid, kill9, stop: kill9, log };
    await sleep(100);
  }
  await kill9();
  throw new Error(`moto_server did not answer on 127.0.0.1:${port} within 10 s:\n${log()}`);
}
