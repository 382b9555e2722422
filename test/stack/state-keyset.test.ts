import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { shellCompute } from '../../src/compute/shell-compute.js';
import { openSqliteStore } from '../../src/coprocessor/sqlite-store.js';
import { FheType } from '../../src/fhevm/fhe-types.js';
import { loadKeyset } from '../../src/keys/load-keyset.js';
import type { KeysetManifest } from '../../src/keys/manifest.js';
import { startStack } from '../../src/stack/start-stack.js';
import { bindStateToKeyset } from '../../src/stack/state-keyset.js';
import { stateDirLayout } from '../../src/state-dir.js';
import { encryptWithClientKey } from '../../src/tfhe/client-ciphertexts.js';
import { handle, hash32, tempDir, testKeyset } from '../coprocessor/helpers.js';
import { TEST_KEYS_DIR } from '../test-keys.js';

/** The test keyset's manifest with another public key: what a regenerated keyset looks like. */
function otherKeyset(manifest: KeysetManifest): { dir: string; manifest: KeysetManifest } {
  const files = { ...manifest.files };
  files['public-key.bin'] = { ...files['public-key.bin'], sha256: 'ab'.repeat(32) };
  return { dir: '/elsewhere/keys', manifest: { ...manifest, files } };
}

describe('a state directory is bound to the keyset it was made with', () => {
  const keyset = loadKeyset(TEST_KEYS_DIR);
  let state: { dir: string; cleanup: () => void };
  beforeEach(() => {
    state = tempDir('fhekit-state-');
  });
  afterEach(() => state.cleanup());

  it('records the keyset on first use and accepts it again', () => {
    bindStateToKeyset(state.dir, keyset);
    const record = JSON.parse(readFileSync(stateDirLayout(state.dir).keysetRecord, 'utf8'));
    expect(record).toMatchObject({
      keysetId: keyset.manifest.files['public-key.bin'].sha256,
      keysDir: keyset.dir,
    });
    expect(() => bindStateToKeyset(state.dir, keyset)).not.toThrow();
  });

  it('refuses another keyset, naming both and the way out', () => {
    bindStateToKeyset(state.dir, keyset);
    expect(() => bindStateToKeyset(state.dir, otherKeyset(keyset.manifest))).toThrow(
      expect.objectContaining({
        code: 'FHE_STATE_KEYSET_MISMATCH',
        message: expect.stringContaining('/elsewhere/keys'),
        hint: expect.stringContaining(`--keys-dir ${keyset.dir}`),
      }),
    );
  });

  it('reports an unreadable record instead of overwriting it', () => {
    writeFileSync(stateDirLayout(state.dir).keysetRecord, '{"keysetId": 1');
    expect(() => bindStateToKeyset(state.dir, keyset)).toThrow(
      expect.objectContaining({ code: 'FHE_STATE_KEYSET_UNREADABLE' }),
    );
    expect(readFileSync(stateDirLayout(state.dir).keysetRecord, 'utf8')).toBe('{"keysetId": 1');
  });

  it('makes `fhe compute` refuse to decrypt a stored handle of a state made with another keyset', async () => {
    const { clientKey } = testKeyset();
    const stored = handle(7);
    const store = openSqliteStore(join(state.dir, 'coprocessor.db'));
    await store.insertInputCiphertexts([
      {
        handle: stored,
        type: FheType.Uint8,
        bytes: encryptWithClientKey(FheType.Uint8, 42n, clientKey),
        blobHash: hash32(7),
        index: 0,
      },
    ]);
    await store.close();
    const decrypt = () =>
      shellCompute({
        keysDir: TEST_KEYS_DIR,
        stateDir: state.dir,
        verb: 'decrypt',
        operands: [stored],
        scalar: false,
      });
    expect((await decrypt()).value).toBe(42n);
    bindStateToKeyset(state.dir, otherKeyset(keyset.manifest));
    await expect(decrypt()).rejects.toMatchObject({ code: 'FHE_STATE_KEYSET_MISMATCH' });
  });

  it('stops startStack before anything starts when the state was made with another keyset', async () => {
    const stateDir = join(state.dir, 'state');
    mkdirSync(stateDir);
    bindStateToKeyset(stateDir, otherKeyset(keyset.manifest));
    await expect(
      startStack({ stateDir, keysDir: TEST_KEYS_DIR, rpcPort: 0, logger: pino({ level: 'silent' }) }),
    ).rejects.toMatchObject({
      code: 'FHE_STATE_KEYSET_MISMATCH',
    });
    expect(existsSync(join(stateDir, 'chain'))).toBe(false);
    expect(existsSync(join(stateDir, 'coprocessor.db'))).toBe(false);
  });
});
