import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FhekitError } from '../errors.js';
import { startModuleWorker } from '../runtime/module-worker.js';
import type { KeygenMessage } from './keygen-worker.js';
import { KEYSET_FILES, type KeysetPart, MANIFEST_FILE } from './keyset-files.js';
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
}

/**
 * Returns a valid keyset in `dir`, generating it if there is none. A present but damaged keyset is an
 * error (never silently replaced: ciphertexts stored elsewhere depend on it) unless `force` is set.
 * Generation happens in a scratch folder and is moved in at the end, manifest last, so a crash or
 * Ctrl-C never leaves a half-written keyset that looks valid.
 */
export async function ensureKeyset(options: EnsureKeysetOptions): Promise<EnsureKeysetResult> {
  const dir = resolve(options.dir);
  mkdirSync(dir, { recursive: true });
  removeScratchFolders(dir);

  const existing = readManifest(dir);
  if (existing && !options.force) {
    verifyKeyset(dir, existing);
    return { dir, manifest: existing, reused: true };
  }

  const scratch = join(dir, `.keygen-${process.pid}-${Date.now()}`);
  mkdirSync(scratch);
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
    return { dir, manifest, reused: false };
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

/** Scratch folders left by an interrupted run hold nothing worth keeping. */
function removeScratchFolders(dir: string) {
  for (const name of readdirSync(dir)) {
    if (name.startsWith('.keygen-')) rmSync(join(dir, name), { recursive: true, force: true });
  }
}
