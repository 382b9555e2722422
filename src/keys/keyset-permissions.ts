import { chmodSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KEYSET_FILES, type KeysetPart } from './keyset-files.js';

/** The keyset directory (and its keygen scratch folders) is its owner's alone: it holds the client key. */
export const KEYSET_DIR_MODE = 0o700;
/** A secret key file: readable and writable by its owner only. */
export const SECRET_FILE_MODE = 0o600;

const GROUP_OR_OTHER = 0o077;

/** Creates `dir` (and missing parents) owner-only; an existing directory is left as it is. */
export function makePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: KEYSET_DIR_MODE });
}

/** Writes one keyset part into `dir`, owner-only if the part is secret. */
export function writeKeysetPart(dir: string, part: KeysetPart, bytes: Uint8Array): void {
  const { file, secret } = KEYSET_FILES[part];
  writeFileSync(join(dir, file), bytes, secret ? { mode: SECRET_FILE_MODE } : {});
}

/**
 * Removes group and other access from the keyset directory and its secret files (a keyset made by an
 * older fhekit, or copied with loose permissions). Returns the paths it changed, for the caller to report.
 */
export function tightenKeysetPermissions(dir: string): string[] {
  const targets = [
    { path: dir, mode: KEYSET_DIR_MODE },
    ...Object.values(KEYSET_FILES)
      .filter((f) => f.secret)
      .map((f) => ({ path: join(dir, f.file), mode: SECRET_FILE_MODE })),
  ];
  const tightened: string[] = [];
  for (const { path, mode } of targets) {
    if (!existsSync(path) || (statSync(path).mode & GROUP_OR_OTHER) === 0) continue;
    chmodSync(path, mode);
    tightened.push(path);
  }
  return tightened;
}
