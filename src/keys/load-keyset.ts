import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FhekitError } from '../errors.js';
import { KEYSET_FILES, type KeysetPart } from './keyset-files.js';
import { type KeysetManifest, readManifest, verifyKeyset } from './manifest.js';

export interface Keyset {
  dir: string;
  manifest: KeysetManifest;
  /** Reads one part's bytes (node-tfhe safe_serialize form). */
  read(part: KeysetPart): Uint8Array;
  path(part: KeysetPart): string;
}

/** Opens a verified keyset; fails with a clear error if there is none or it is damaged. */
export function loadKeyset(dir: string): Keyset {
  const root = resolve(dir);
  const manifest = readManifest(root);
  if (!manifest) {
    throw new FhekitError('FHE_KEYSET_MISSING', `No keyset in ${root} (no manifest.json).`, {
      hint: `Run \`fhe generate-keys --dir ${dir}\` first.`,
    });
  }
  verifyKeyset(root, manifest);
  const path = (part: KeysetPart) => join(root, KEYSET_FILES[part].file);
  return { dir: root, manifest, path, read: (part) => readFileSync(path(part)) };
}
