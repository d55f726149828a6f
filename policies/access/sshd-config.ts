/** A file sshd reads, with where it came from. */
export interface SshdFile {
  path: string;
  content: string;
  /** The resource that delivers it. */
  urn: string;
  /** How the stack delivers it, for the finding's location (e.g. `user-data write_files`). */
  via: string;
}

/** One keyword's value as sshd will use it, and the file that set it. */
export interface SshdSetting {
  keyword: string;
  value: string;
  file: SshdFile;
  /** The `Match` line the setting is under, when it is conditional. */
  match?: string;
}

const ALIASES: Record<string, string> = { challengeresponseauthentication: "kbdinteractiveauthentication" };

/** Whether sshd reads this path: the main file or a drop-in `sshd_config.d/*.conf` (Debian includes them). */
export function isSshdConfig(path: string): boolean {
  return /^\/etc\/ssh\/sshd_config(\.d\/[^/]+\.conf)?$/.test(path);
}

/**
 * The files in the order sshd reads them: Debian's sshd_config includes `sshd_config.d/*.conf` (sorted) on its
 * first line, so every drop-in comes before the main file's own settings.
 */
export function sshdReadOrder(files: readonly SshdFile[]): SshdFile[] {
  const dropIns = files.filter((f) => f.path !== "/etc/ssh/sshd_config").sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return [...dropIns, ...files.filter((f) => f.path === "/etc/ssh/sshd_config")];
}

/**
 * Every setting of the given keywords (lower-case), in the order sshd reads them. For a global setting the
 * first one wins (sshd_config(5)); settings under `Match` apply to the connections they match.
 */
export function sshdSettings(files: readonly SshdFile[], keywords: readonly string[]): SshdSetting[] {
  const out: SshdSetting[] = [];
  for (const file of sshdReadOrder(files)) {
    let match: string | undefined;
    for (const raw of file.content.split(/\r?\n/)) {
      const line = raw.replace(/#.*$/, "").trim();
      if (!line) continue;
      const m = /^(\S+)(?:\s*=\s*|\s+)(.*)$/.exec(line);
      if (!m) continue;
      const keyword = ALIASES[m[1].toLowerCase()] ?? m[1].toLowerCase();
      if (keyword === "match") {
        match = /^all$/i.test(m[2].trim()) ? undefined : m[2].trim();
        continue;
      }
      if (keywords.includes(keyword)) out.push({ keyword, value: m[2].trim().toLowerCase(), file, ...(match ? { match } : {}) });
    }
  }
  return out;
}
