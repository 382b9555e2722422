import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { FhekitError } from '../errors.js';
import { type KeysetManifest, keysetId } from '../keys/manifest.js';
import { stateDirLayout } from '../state-dir.js';

/** Which keyset a state directory's ciphertexts are encrypted under. */
interface StateKeysetRecord {
  /** sha256 of the public key (`keysetId`). */
  keysetId: string;
  /** Where the keyset was when the state was made, for the error message. */
  keysDir: string;
  recordedAt: string;
}

type KeysetRef = { dir: string; manifest: KeysetManifest };

/**
 * Ties a state directory to one keyset: the first start records the keyset's id there, later starts
 * must use the same keyset. Under another keyset the stored ciphertexts would decrypt to garbage that
 * the local KMS would sign as valid results.
 */
export function bindStateToKeyset(stateDir: string, keyset: KeysetRef): void {
  const path = stateDirLayout(stateDir).keysetRecord;
  if (existsSync(path)) {
    checkStateKeyset(stateDir, keyset);
    return;
  }
  const record: StateKeysetRecord = {
    keysetId: keysetId(keyset.manifest),
    keysDir: keyset.dir,
    recordedAt: new Date().toISOString(),
  };
  writeFileSync(`${path}.tmp`, `${JSON.stringify(record, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
}

/** Throws unless the state directory was made with `keyset` (or has no record: it was never started). */
export function checkStateKeyset(stateDir: string, keyset: KeysetRef): void {
  const path = stateDirLayout(stateDir).keysetRecord;
  if (!existsSync(path)) return;
  const recorded = readRecord(path, stateDir);
  const id = keysetId(keyset.manifest);
  if (recorded.keysetId === id) return;
  throw new FhekitError(
    'FHE_STATE_KEYSET_MISMATCH',
    `The state in ${stateDir} was made with keyset ${short(recorded.keysetId)} (from ${recorded.keysDir}), but ${keyset.dir} holds keyset ${short(id)}.`,
    {
      hint: `Start with the keyset it was made with (--keys-dir ${recorded.keysDir}), or with a fresh state directory (another --state-dir, or delete ${stateDir}): its ciphertexts cannot be decrypted under other keys.`,
    },
  );
}

function readRecord(path: string, stateDir: string): StateKeysetRecord {
  try {
    const record = JSON.parse(readFileSync(path, 'utf8')) as Partial<StateKeysetRecord>;
    if (typeof record.keysetId === 'string' && typeof record.keysDir === 'string') {
      return record as StateKeysetRecord;
    }
  } catch {
    // Reported below, like a record with missing fields.
  }
  throw new FhekitError('FHE_STATE_KEYSET_UNREADABLE', `${path} is not a valid keyset record.`, {
    hint: `Restore it from a backup, or delete ${stateDir} to start from a fresh state.`,
  });
}

const short = (id: string) => `${id.slice(0, 12)}…`;
