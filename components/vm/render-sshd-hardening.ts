// The sshd drop-in every VM boots with. Its algorithm lists are those of ssh-audit's hardened OpenSSH
// server policy (the newest built into bookworm's ssh-audit 2.5.0 is "Hardened OpenSSH Server v8.7
// (version 1)"; components/vm/sshd-audit.test.ts runs it against a real sshd): no NIST curves, no SHA-1,
// no CBC, no encrypt-and-MAC. The lists are in the policy's order, because the policy compares them in order.

/**
 * The only group sshd lets in. A dedicated group, rather than `sudo`, keeps "may log in over SSH" apart
 * from "may become root", so a package or a person adding someone to `sudo` does not open SSH to them.
 */
export const SSH_LOGIN_GROUP = "ibac-ssh";

/**
 * One host key, ed25519, made by the toolkit. One, because deployments pin it (`hostKey` of every
 * @pulumi/command connection) and a client negotiates the host-key algorithm by its own preference: Go's SSH
 * library, which the command provider uses, prefers RSA to ed25519, so a VM that also offered an RSA key
 * could present a key other than the pinned one and every delivery would fail. With one key on offer, what
 * the server presents is what was pinned, whatever the client prefers.
 */
export const SSHD_HOST_KEYS = { ed25519: "/etc/ssh/ssh_host_ed25519_key" } as const;
export const SSHD_HOST_KEY_ALGORITHMS = ["ssh-ed25519"] as const;
export const SSHD_KEX_ALGORITHMS = ["curve25519-sha256", "curve25519-sha256@libssh.org", "diffie-hellman-group16-sha512", "diffie-hellman-group18-sha512", "diffie-hellman-group-exchange-sha256"] as const;
export const SSHD_CIPHERS = ["chacha20-poly1305@openssh.com", "aes256-gcm@openssh.com", "aes128-gcm@openssh.com", "aes256-ctr", "aes192-ctr", "aes128-ctr"] as const;
export const SSHD_MACS = ["hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com", "umac-128-etm@openssh.com"] as const;
/** The login banner sshd shows before authentication: the file the platform delivers the legal notice to. */
export const SSHD_BANNER_PATH = "/etc/issue.net";
/**
 * The smallest group-exchange modulus left in /etc/ssh/moduli. The file's fifth field is the size minus
 * one (a 3072-bit modulus says 3071), which is what the bootstrap's filter compares.
 */
export const MIN_MODULUS_BITS = 3072;

/**
 * sshd takes the first value it reads for a keyword and Debian's sshd_config includes sshd_config.d/*.conf
 * at its top, so this drop-in wins over the main file; the `10-` prefix also puts it ahead of
 * `50-cloud-init.conf`, where cloud-init writes its ssh_pwauth setting.
 */
export function renderSshdHardening(): string {
  return [
    "# Managed by the ibac toolkit (cloud-init bootstrap).",
    "PermitRootLogin no",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "PubkeyAuthentication yes",
    `AllowGroups ${SSH_LOGIN_GROUP}`,
    "# Only the host key the toolkit generated and pinned; an upgrade of openssh-server that regenerates",
    "# missing default keys (RSA, ECDSA) cannot add one that sshd would offer.",
    `HostKey ${SSHD_HOST_KEYS.ed25519}`,
    `HostKeyAlgorithms ${SSHD_HOST_KEY_ALGORITHMS.join(",")}`,
    `KexAlgorithms ${SSHD_KEX_ALGORITHMS.join(",")}`,
    `Ciphers ${SSHD_CIPHERS.join(",")}`,
    `MACs ${SSHD_MACS.join(",")}`,
    "# The legal notice, before authentication (the platform delivers it to this file).",
    `Banner ${SSHD_BANNER_PATH}`,
    "# No tunnels through the VMs: administration and delivery need a shell and SFTP only.",
    "AllowTcpForwarding no",
    "AllowStreamLocalForwarding no",
    "AllowAgentForwarding no",
    "X11Forwarding no",
    "PermitTunnel no",
    "GatewayPorts no",
    "# Bounded authentication: few keys tried per connection, little time to finish, unauthenticated",
    "# connections shed early under a flood.",
    "MaxAuthTries 3",
    "LoginGraceTime 30",
    "MaxStartups 10:30:60",
    "",
  ].join("\n");
}

/**
 * The bootstrap step that keeps only group-exchange moduli of MIN_MODULUS_BITS or more (and the file's
 * comments): the argument list of a runcmd entry. A shell is needed for the redirection; the text is fixed.
 * `install` writes the result with the packaged file's owner and mode, and only after awk succeeded.
 */
export function moduliFilterCommand(moduliPath = "/etc/ssh/moduli"): string[] {
  const kept = `${moduliPath}.ibac`;
  return ["sh", "-c", `awk '/^#/ || $5 >= ${MIN_MODULUS_BITS - 1}' ${moduliPath} > ${kept} && install -m 0644 -o root -g root ${kept} ${moduliPath} && rm -f ${kept}`];
}
