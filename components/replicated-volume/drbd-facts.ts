// What a DRBD 8.4 resource file says, read back from its text: what the policies judge (the file the stack
// delivers, not the spec that asked for it). A small reader for the subset the renderer writes, tolerant of
// comments and layout; anything it cannot read counts as absent, so a policy never reads more than is there.

export interface DrbdPeerFacts {
  host: string;
  address?: string;
  port?: number;
  disk?: string;
  device?: string;
}

export interface DrbdResourceFacts {
  name?: string;
  protocol?: string;
  /** `fencing` in `disk {}` (8.4) or `net {}` (9), as written. */
  fencing?: string;
  handlers: Record<string, string>;
  afterSplitBrain: { zeroPrimaries?: string; onePrimary?: string; twoPrimaries?: string };
  peers: DrbdPeerFacts[];
}

/** The text without comments (`# ...` to the end of the line, outside quotes). */
function withoutComments(text: string): string {
  return text.replace(/^((?:[^"#\n]|"[^"\n]*")*)#.*$/gm, "$1");
}

/** The body of the first `keyword [name] { ... }` block at the top level of `text`, with its name. */
function blocks(text: string, keyword: string): { name?: string; body: string }[] {
  const found: { name?: string; body: string }[] = [];
  const opener = new RegExp(`(?:^|[\\s;{}])${keyword}(?:\\s+([A-Za-z0-9_.-]+))?\\s*\\{`, "g");
  let match: RegExpExecArray | null;
  while ((match = opener.exec(text))) {
    let depth = 1;
    let i = opener.lastIndex;
    for (; i < text.length && depth > 0; i++) {
      if (text[i] === "{") depth++;
      else if (text[i] === "}") depth--;
    }
    found.push({ ...(match[1] ? { name: match[1] } : {}), body: text.slice(opener.lastIndex, i - 1) });
    opener.lastIndex = i;
  }
  return found;
}

function option(body: string, key: string): string | undefined {
  const match = new RegExp(`(?:^|[\\s;{])${key}\\s+("[^"]*"|[^\\s;]+)\\s*;`).exec(body);
  return match ? match[1].replace(/^"|"$/g, "") : undefined;
}

/** Options of a block that is a direct child of `body` (not of a nested block), by keyword. */
function childOption(body: string, block: string, key: string): string | undefined {
  for (const b of blocks(body, block)) {
    const value = option(b.body, key);
    if (value !== undefined) return value;
  }
  return undefined;
}

export function drbdResourceFacts(text: string): DrbdResourceFacts {
  const clean = withoutComments(text);
  const resource = blocks(clean, "resource")[0];
  const body = resource?.body ?? "";
  const handlersBody = blocks(body, "handlers")[0]?.body ?? "";
  const handlers: Record<string, string> = {};
  for (const m of handlersBody.matchAll(/([a-z-]+)\s+("[^"]*"|[^\s;]+)\s*;/g)) handlers[m[1]] = m[2].replace(/^"|"$/g, "");
  const peers = blocks(body, "on").map((on): DrbdPeerFacts => {
    const address = /(?:^|[\s;{])address\s+(?:ipv4\s+)?([0-9.]+):([0-9]+)\s*;/.exec(on.body);
    const disk = option(on.body, "disk");
    const device = option(on.body, "device");
    return {
      host: on.name ?? "",
      ...(address ? { address: address[1], port: Number(address[2]) } : {}),
      ...(disk ? { disk } : {}),
      ...(device ? { device } : {}),
    };
  });
  const fencing = childOption(body, "disk", "fencing") ?? childOption(body, "net", "fencing");
  const protocol = option(body.replace(/\bon\s+[A-Za-z0-9_.-]+\s*\{[^}]*\}/g, ""), "protocol") ?? childOption(body, "net", "protocol");
  const sb = (key: string): string | undefined => childOption(body, "net", key);
  const zeroPrimaries = sb("after-sb-0pri");
  const onePrimary = sb("after-sb-1pri");
  const twoPrimaries = sb("after-sb-2pri");
  return {
    ...(resource?.name ? { name: resource.name } : {}),
    ...(protocol ? { protocol } : {}),
    ...(fencing ? { fencing } : {}),
    handlers,
    afterSplitBrain: { ...(zeroPrimaries ? { zeroPrimaries } : {}), ...(onePrimary ? { onePrimary } : {}), ...(twoPrimaries ? { twoPrimaries } : {}) },
    peers,
  };
}
