import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FhekitError } from '../errors.js';
import { startModuleWorker } from '../runtime/module-worker.js';
import type { KeygenMessage } from './keygen-worker.js';
import { KEYSET_FILES, type KeysetPart, MANIFEST_FILE } from './keyset-files.js';
import { KEYSET_DIR_MODE, makePrivateDir, tightenKeysetPermissions } from './keyset-permissions.js';
import {
  currentLibraries,
  currentParameters,
  type KeysetManifest,
  readManifest,
  sha256,
  verifyKeyset,
} from './manifest.js';

/** One step of key generation, with a rough duration so a UI can draw a bar for steps with no inner progress. */
export interface KeygenStep {
  part: KeysetPart;
  label: string;
  expectedMs: number;
}

export const KEYGEN_STEPS: readonly KeygenStep[] = [
  { part: 'clientKey', label: 'Client key', expectedMs: 100 },
  { part: 'publicKey', label: 'Compact public key', expectedMs: 100 },
  { part: 'evaluationKeys', label: 'Evaluation keys (fhekit engine)', expectedMs: 5_000 },
  { part: 'serverKey', label: 'Server key (compressed)', expectedMs: 5_000 },
  { part: 'crs', label: 'CRS for 2048-bit input proofs', expectedMs: 60_000 },
];

export type KeygenProgress =
  | { event: 'start'; step: KeygenStep }
  | { event: 'done'; step: KeygenStep; elapsedMs: number; bytes: number };

export interface EnsureKeysetOptions {
  dir: string;
  /** Regenerate even if a valid keyset is present. */
  force?: boolean;
  onProgress?: (progress: KeygenProgress) => void;
}

export interface EnsureKeysetResult {
  dir: string;
  manifest: KeysetManifest;
  /** True when a valid cached keyset was reused and nothing was generated. */
  reused: boolean;
  /** Paths that were readable by group or others and are now owner-only (worth telling the user once). */
  tightenedPermissions: string[];
}

/**
 * Returns a valid keyset in `dir`, generating it if there is none. A present but damaged keyset, or key
 * files without their manifest, is an error (never silently replaced: ciphertexts stored elsewhere
 * depend on it) unless `force` is set. The directory and the client key are made owner-only (also an
 * existing keyset's). Generation happens in a scratch folder and is moved in at the end, manifest
 * last, so a crash or Ctrl-C never leaves a half-written keyset that looks valid.
 */
export async function ensureKeyset(options: EnsureKeysetOptions): Promise<EnsureKeysetResult> {
  const dir = resolve(options.dir);
  makePrivateDir(dir);
  const tightenedPermissions = tightenKeysetPermissions(dir);
  removeScratchFolders(dir);

  if (!options.force) {
    const existing = readManifest(dir);
    if (existing) {
      verifyKeyset(dir, existing);
      return { dir, manifest: existing, reused: true, tightenedPermissions };
    }
    refuseKeyFilesWithoutManifest(dir);
  }

  const scratch = join(dir, `.keygen-${process.pid}-${Date.now()}`);
  mkdirSync(scratch, { mode: KEYSET_DIR_MODE });
  try {
    const sizes = await generateInto(scratch, options.onProgress);
    const manifest: KeysetManifest = {
      format: 1,
      createdAt: new Date().toISOString(),
      parameters: currentParameters(),
      libraries: currentLibraries(),
      files: {},
    };
    for (const step of KEYGEN_STEPS) {
      const { file, description } = KEYSET_FILES[step.part];
      manifest.files[file] = {
        description,
        bytes: sizes.get(step.part)!,
        sha256: sha256(readFileSync(join(scratch, file))),
      };
    }
    rmSync(join(dir, MANIFEST_FILE), { force: true });
    for (const file of Object.keys(manifest.files)) renameSync(join(scratch, file), join(dir, file));
    writeFileSync(join(scratch, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    renameSync(join(scratch, MANIFEST_FILE), join(dir, MANIFEST_FILE));
    return { dir, manifest, reused: false, tightenedPermissions };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function generateInto(scratch: string, onProgress?: (progress: KeygenProgress) => void) {
  return new Promise<Map<KeysetPart, number>>((resolvePromise, reject) => {
    const sizes = new Map<KeysetPart, number>();
    const startedAt = new Map<KeysetPart, number>();
    const stepOf = (part: KeysetPart) => KEYGEN_STEPS.find((s) => s.part === part)!;
    const worker = startModuleWorker(import.meta.url, 'keygen-worker', { workerData: { dir: scratch } });
    worker.on('message', (message: KeygenMessage) => {
      const step = stepOf(message.part);
      if (message.event === 'start') {
        startedAt.set(message.part, Date.now());
        onProgress?.({ event: 'start', step });
      } else {
        sizes.set(message.part, message.bytes);
        const elapsedMs = Date.now() - startedAt.get(message.part)!;
        onProgress?.({ event: 'done', step, elapsedMs, bytes: message.bytes });
      }
    });
    worker.on('error', (cause) =>
      reject(new FhekitError('FHE_KEYGEN_FAILED', `Key generation failed: ${cause.message}`, { cause })),
    );
    worker.on('exit', (code) => {
      if (code === 0 && sizes.size === KEYGEN_STEPS.length) resolvePromise(sizes);
      else reject(new FhekitError('FHE_KEYGEN_FAILED', `Key generation stopped (worker exit code ${code}).`));
    });
  });
}

/**
 * Key files with no manifest are someone's keyset that lost its manifest (deleted, or a copy without
 * it): ciphertexts may depend on them, so they are never overwritten without `force`.
 */
function refuseKeyFilesWithoutManifest(dir: string): void {
  const present = Object.values(KEYSET_FILES)
    .map((f) => f.file)
    .filter((file) => existsSync(join(dir, file)));
  if (present.length === 0) return;
  throw new FhekitError(
    'FHE_KEYSET_MANIFEST_MISSING',
    `${dir} holds key files (${present.join(', ')}) but no ${MANIFEST_FILE}; nothing was changed.`,
    {
      hint: `Restore ${MANIFEST_FILE} from a backup. To make a new keyset instead, move the files away or run \`fhe generate-keys --dir ${dir} --force\`; ciphertexts encrypted under the old keys (e.g. in a stack's state directory) can no longer be decrypted afterwards.`,
    },
  );
}

/** Scratch folders left by an interrupted run hold nothing worth keeping. */
function removeScratchFolders(dir: string) {
  for (const name of readdirSync(dir)) {
    if (name.startsWith('.keygen-')) rmSync(join(dir, name), { recursive: true, force: true });
  }
}
