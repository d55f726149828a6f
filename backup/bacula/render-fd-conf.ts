// bacula-fd.conf of one client: the file daemon signs and encrypts every file it sends (PKI) for its own
// keypair and for the master key (public half only on the VM; its private key never enters the cluster), and
// speaks TLS with the internal CA to the director and the storage daemon. Pure.
import type { BaculaName, BaculaPlan } from "./bacula-plan";
import { type BaculaPaths, tlsFilesFor } from "./paths";
import { absolutePath, ipv4, line, name, password, resource } from "./quote";
import { DAEMON_MESSAGES, messagesResource } from "./render-messages";
import { tlsLines } from "./render-tls";
import type { BaculaSecrets } from "./secrets";

/** bacula-fd.conf of `clientName`. */
export function renderFileDaemonConf(plan: BaculaPlan, clientName: BaculaName, secrets: BaculaSecrets, paths: BaculaPaths): string {
  const client = plan.clients.find((c) => c.name === clientName);
  if (!client) throw new Error(`bacula: renderFileDaemonConf: expected one of the plan's clients (${plan.clients.map((c) => c.name).join(", ")}), found ${JSON.stringify(clientName)}`);
  const pw = secrets.clientPasswords[client.name];
  if (pw === undefined) throw new Error(`bacula: secrets.clientPasswords: expected a password for ${client.name}, found none`);
  const at = `client ${client.name}`;
  // A client on one VM listens on its own address; one that moves (the object store's, the backup tier's)
  // listens on every address, so that whichever VM holds the service address answers there.
  const listen = client.vms.length === 1 ? [`  FDAddresses = { ip = { addr = ${ipv4(client.address, `${at}.address`)}; port = 9102 } }`] : [line("FDPort", 9102)];
  return [
    `# Rendered by the iBac toolkit: file daemon ${client.name} (${client.vms.join(", ")}); do not edit: the next deployment overwrites it.\n`,
    resource("FileDaemon", [
      line("Name", name(client.name, "client.name")),
      ...listen,
      line("WorkingDirectory", absolutePath(paths.fileDaemonWorkingDirectory, "paths.fileDaemonWorkingDirectory")),
      line("Pid Directory", absolutePath(paths.pidDirectory, "paths.pidDirectory")),
      line("Maximum Concurrent Jobs", 5),
      // Data encryption and signatures: volumes (also the NAS copy) hold only ciphertext of file contents.
      line("PKI Signatures", "yes"),
      line("PKI Encryption", "yes"),
      line("PKI Keypair", absolutePath(paths.pkiKeypair, "paths.pkiKeypair")),
      line("PKI Master Key", absolutePath(plan.masterCertificatePath, "masterCertificatePath")),
      line("PKI Cipher", "aes256"),
      // Client side towards the storage daemon: its certificate is checked against the address it dials.
      ...tlsLines({ files: tlsFilesFor(paths, "fileDaemon") }, at),
    ], `Certificate ${client.tlsName}; PKI keypair ${paths.pkiKeypair}, master certificate ${plan.masterCertificatePath}.`),
    resource("Director", [
      line("Name", name(plan.director.name, "director.name")),
      line("Password", password(pw, `secrets.clientPasswords.${client.name}`)),
      ...tlsLines({ files: tlsFilesFor(paths, "fileDaemon"), server: { allowedCns: [plan.director.tlsName] } }, `${at}.director`),
    ]),
    messagesResource(DAEMON_MESSAGES, { catalog: false, director: plan.director.name }),
  ].join("\n");
}
