import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { FhekitError } from '../errors.js';
import { KEYSET_FILES, MANIFEST_FILE } from './keyset-files.js';
import { COMPUTE_PARAMETERS, CRS_BITS, PKE_PARAMETERS } from './tfhe-config.js';

export interface KeysetFileEntry {
  description: string;
  bytes: number;
  sha256: string;
}

export interface KeysetManifest {
  format: 1;
  createdAt: string;
  parameters: { compute: string; pke: string; crsBits: number };
  libraries: Record<string, string>;
  /** By file name, relative to the keyset directory. */
  files: Record<string, KeysetFileEntry>;
}

const REGENERATE_HINT =
  'Regenerate with `fhe generate-keys --force`. Ciphertexts encrypted under the old keys cannot be decrypted afterwards.';

/** Versions that decide whether stored keys are readable: the tfhe build and our evaluation-key format. */
export function currentLibraries(): Record<string, string> {
  const require = createRequire(import.meta.url);
  return { 'node-tfhe': (require('node-tfhe/package.json') as { version: string }).version };
}

export function currentParameters(): KeysetManifest['parameters'] {
  return { compute: COMPUTE_PARAMETERS, pke: PKE_PARAMETERS, crsBits: CRS_BITS };
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function readManifest(dir: string): KeysetManifest | undefined {
  const path = join(dir, MANIFEST_FILE);
  if (!existsSync(path)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new FhekitError('FHE_KEYSET_CORRUPT', `${path} is not valid JSON.`, {
      hint: REGENERATE_HINT,
      cause,
    });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new FhekitError('FHE_KEYSET_CORRUPT', `${path} is not a keyset manifest (not a JSON object).`, {
      hint: REGENERATE_HINT,
    });
  }
  return parsed as KeysetManifest;
}

/**
 * Which keyset this is: the sha256 of its public key. A new keyset (even with the same parameters)
 * has another one; `verifyKeyset` checks it against the file.
 */
export function keysetId(manifest: KeysetManifest): string {
  const entry = manifest.files[KEYSET_FILES.publicKey.file];
  if (!entry) {
    throw new FhekitError(
      'FHE_KEYSET_STALE',
      `The keyset manifest lists no ${KEYSET_FILES.publicKey.file}.`,
      {
        hint: REGENERATE_HINT,
      },
    );
  }
  return entry.sha256;
}

/**
 * Checks every file the manifest lists: present, same size, same sha256; and that the keyset was made
 * with the parameters and tfhe build we use now. Throws a FhekitError naming the first bad file.
 */
export function verifyKeyset(dir: string, manifest: KeysetManifest): void {
  const expected = currentParameters();
  const params = manifest.parameters ?? {};
  if (
    params.compute !== expected.compute ||
    params.pke !== expected.pke ||
    params.crsBits !== expected.crsBits
  ) {
    throw new FhekitError(
      'FHE_KEYSET_STALE',
      `The keyset in ${dir} was made with parameters ${JSON.stringify(params)}, fhekit needs ${JSON.stringify(expected)}.`,
      { hint: REGENERATE_HINT },
    );
  }
  for (const [name, version] of Object.entries(currentLibraries())) {
    if (manifest.libraries?.[name] !== version) {
      throw new FhekitError(
        'FHE_KEYSET_STALE',
        `The keyset in ${dir} was made with ${name} ${manifest.libraries?.[name] ?? '(unknown)'}, fhekit uses ${version}.`,
        { hint: REGENERATE_HINT },
      );
    }
  }
  for (const { file } of Object.values(KEYSET_FILES)) {
    if (!manifest.files?.[file]) {
      throw new FhekitError(
        'FHE_KEYSET_STALE',
        `The keyset in ${dir} has no ${file} (made by an older fhekit).`,
        {
          hint: REGENERATE_HINT,
        },
      );
    }
  }
  for (const [file, entry] of Object.entries(manifest.files)) {
    const path = join(dir, file);
    if (!existsSync(path)) {
      throw new FhekitError(
        'FHE_KEYSET_INCOMPLETE',
        `Key file ${path} (listed in the manifest) is missing.`,
        {
          hint: REGENERATE_HINT,
        },
      );
    }
    const size = statSync(path).size;
    if (size !== entry.bytes) {
      throw new FhekitError(
        'FHE_KEYSET_CORRUPT',
        `Key file ${path} is corrupted: ${size} bytes on disk, the manifest says ${entry.bytes}.`,
        { hint: REGENERATE_HINT },
      );
    }
    if (sha256(readFileSync(path)) !== entry.sha256) {
      throw new FhekitError(
        'FHE_KEYSET_CORRUPT',
        `Key file ${path} is corrupted: its sha256 differs from the manifest.`,
        {
          hint: REGENERATE_HINT,
        },
      );
    }
  }
}
