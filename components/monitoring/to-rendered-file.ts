import * as pulumi from "@pulumi/pulumi";
import type { MonitoringFile } from "../../monitoring/plan/types";
import type { RenderedFile } from "../vm/rendered-file";

/** Octal modes a file holding a secret may have: its owner reads it, at most its group too; nobody else. */
const OWNER_ONLY = /^0?[0-7][0-7]0$/;

/** Throws for a secret file that others could read: the renderer's bug, stopped before it reaches a host. */
export function checkSecretMode(file: Pick<MonitoringFile, "path" | "mode" | "secret">): void {
  if (!/^0?[0-7]{3}$/.test(file.mode)) throw new Error(`monitoring file ${file.path}: mode "${file.mode}" is not an octal mode such as 0640`);
  if (file.secret && !OWNER_ONLY.test(file.mode)) throw new Error(`monitoring file ${file.path}: holds a secret but its mode ${file.mode} lets others read it (expected 0600 or 0640)`);
}

/**
 * A renderer's file as the delivery seam takes it: a secret one's content becomes a Pulumi secret (masked in
 * every plan and state), or `content` when given (the same text, rendered inside a secret Output).
 */
export function toRenderedFile(file: MonitoringFile, content?: pulumi.Input<string>): RenderedFile {
  checkSecretMode(file);
  const text = content ?? file.content;
  return { path: file.path, content: file.secret ? pulumi.secret(text) : text, mode: file.mode, owner: file.owner };
}
