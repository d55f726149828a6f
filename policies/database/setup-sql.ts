/**
 * Just enough SQL reading for the replication policies: statements split on `;` outside quotes and
 * comments, `CHANGE MASTER TO` options, and the TLS requirement of accounts.
 */

/** The statements of a SQL script, comments removed, whitespace collapsed, without the final `;`. */
export function sqlStatements(text: string): string[] {
  const statements: string[] = [];
  let current = "";
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      current += c;
      if (c === "\\" && i + 1 < text.length) current += text[++i];
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === "'" || c === '"' || c === "`") {
      quote = c;
      current += c;
    } else if ((c === "-" && text[i + 1] === "-" && (i + 2 >= text.length || /\s/.test(text[i + 2]))) || c === "#") {
      while (i < text.length && text[i] !== "\n") i++;
      current += " ";
    } else if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      i = end < 0 ? text.length : end + 1;
      current += " ";
    } else if (c === ";") {
      if (current.trim()) statements.push(current.replace(/\s+/g, " ").trim());
      current = "";
    } else {
      current += c;
    }
  }
  if (current.trim()) statements.push(current.replace(/\s+/g, " ").trim());
  return statements;
}

/** Splits on commas outside quotes and parentheses. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let current = "";
  let quote: string | undefined;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      current += c;
      if (c === "\\" && i + 1 < text.length) current += text[++i];
      else if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"' || c === "`") {
      quote = c;
      current += c;
    } else if (c === "(") {
      depth++;
      current += c;
    } else if (c === ")") {
      depth--;
      current += c;
    } else if (c === "," && depth === 0) {
      parts.push(current.trim());
      current = "";
    } else {
      current += c;
    }
  }
  if (current.trim()) parts.push(current.trim());
  return parts;
}

/** A SQL literal's value: quotes removed and MariaDB's backslash escapes undone. */
export function sqlLiteral(text: string): string {
  const t = text.trim();
  if (t.length >= 2 && (t[0] === "'" || t[0] === '"' || t[0] === "`") && t.endsWith(t[0])) return t.slice(1, -1).replace(/\\(.)/g, "$1");
  return t;
}

/** The options of a `CHANGE MASTER ['name'] TO ...` statement (upper-case keys), or undefined for another statement. */
export function changeMasterOptions(statement: string): Map<string, string> | undefined {
  const m = /^CHANGE\s+(?:MASTER|REPLICA)\s+(?:'[^']*'\s+)?TO\s+(.*)$/i.exec(statement);
  if (!m) return undefined;
  const options = new Map<string, string>();
  for (const part of splitTopLevel(m[1])) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    options.set(part.slice(0, eq).trim().toUpperCase(), sqlLiteral(part.slice(eq + 1)));
  }
  return options;
}

/** A MariaDB account, `user@host`. */
export interface SqlAccount {
  user: string;
  host: string;
}

const ACCOUNT = String.raw`('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|\x60[^\x60]*\x60|[A-Za-z0-9_$.-]+)(?:\s*@\s*('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|\x60[^\x60]*\x60|[A-Za-z0-9_$.%:/-]+))?`;

function accountOf(user: string, host: string | undefined): SqlAccount {
  return { user: sqlLiteral(user), host: host === undefined ? "%" : sqlLiteral(host) };
}

/** What a CREATE USER, ALTER USER or GRANT statement says about one account. */
export interface AccountStatement {
  kind: "create" | "alter" | "grant";
  account: SqlAccount;
  /** The REQUIRE clause (`SSL`, `X509`, `NONE`, `ISSUER '...'`...), upper-case, or undefined without one. */
  require: string | undefined;
  /** GRANT only: the privileges and the object (`*.*`, `` `ibac`.* ``). */
  privileges: string[];
  on?: string;
  statement: string;
}

function requireClause(rest: string): string | undefined {
  // Quoted text (a password, an issuer) never counts as a keyword.
  const bare = rest.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g, "''");
  const m = /\bREQUIRE\s+(NONE|SSL|X509|ISSUER\b.*|SUBJECT\b.*|CIPHER\b.*)$/i.exec(bare);
  if (!m) return undefined;
  return m[1].replace(/\s+WITH\b.*$/i, "").toUpperCase().split(/\s+/)[0];
}

/** The account statements of a script, or none for other statements. */
export function accountStatement(statement: string): AccountStatement | undefined {
  const user = new RegExp(String.raw`^(CREATE|ALTER)\s+USER\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?${ACCOUNT}(.*)$`, "i").exec(statement);
  if (user) {
    return { kind: user[1].toUpperCase() === "CREATE" ? "create" : "alter", account: accountOf(user[2], user[3]), require: requireClause(user[4]), privileges: [], statement };
  }
  const grant = new RegExp(String.raw`^GRANT\s+(.+?)\s+ON\s+(\S+)\s+TO\s+${ACCOUNT}(.*)$`, "i").exec(statement);
  if (grant) {
    return {
      kind: "grant",
      account: accountOf(grant[3], grant[4]),
      require: requireClause(grant[5]),
      privileges: splitTopLevel(grant[1]).map((p) => p.replace(/\s+/g, " ").toUpperCase()),
      on: grant[2],
      statement,
    };
  }
  return undefined;
}

/** Hosts that only reach the server on the machine itself (the socket or the loopback). */
export function isLocalHost(host: string): boolean {
  return ["localhost", "127.0.0.1", "::1"].includes(host.toLowerCase());
}

/** REQUIRE clauses that make the account connect over TLS. */
export function requiresTls(require: string | undefined): boolean {
  return require !== undefined && ["SSL", "X509", "ISSUER", "SUBJECT", "CIPHER"].includes(require);
}
