import type * as pulumi from "@pulumi/pulumi";

/** A configuration file rendered by the toolkit, to be installed in a VM. */
export interface RenderedFile {
  /** Absolute path in the VM. */
  path: string;
  /** The file's content; may be a secret Output. */
  content: pulumi.Input<string>;
  /** Octal mode, e.g. "0644" or "0640". */
  mode: string;
  /** `user:group` owning the file. */
  owner: string;
  /** Shell command run after the file changed (e.g. `systemctl reload haproxy`), as root. */
  afterChange?: string;
  /**
   * Install only when the VM has no such file yet: for state that runbooks own once it exists (a database
   * server's replication role), which a later deployment must never revert behind the operator's back.
   */
  onlyIfAbsent?: boolean;
}
