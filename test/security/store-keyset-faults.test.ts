import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { getAddress, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCoprocessor } from '../../src/coprocessor/coprocessor.js';
import { openSqliteStore, type SqliteCoprocessorStore } from '../../src/coprocessor/sqlite-store.js';
import { AllowedEventType } from '../../src/coprocessor/store.js';
import { FheType } from '../../src/fhevm/fhe-types.js';
import { ensureKeyset } from '../../src/keys/ensure-keyset.js';
import { MANIFEST_FILE } from '../../src/keys/keyset-files.js';
import type { AclReader } from '../../src/kms/acl-reader.js';
import { createLocalKms, type LocalKms } from '../../src/kms/local-kms.js';
import { readStackReport } from '../../src/stack/stack-status.js';
import { decryptWithClientKey, encryptWithClientKey } from '../../src/tfhe/client-ciphertexts.js';
import { allowedTo, handle, hash32, publiclyAllowed, tempDir, testKeyset } from '../coprocessor/helpers.js';
import { block } from '../coprocessor/store-contract.js';
import { TEST_KEYS_DIR } from '../test-keys.js';

// Disk and key faults end in a typed error with a next step: never a wrong plaintext the KMS signs,
// never a keyset silently replaced, never a raw SQLite error.

const { clientKey } = testKeyset();

describe('a ciphertext changed inside coprocessor.db', () => {
  const secret = handle(1, FheType.Uint8);
  let dir: { dir: string; cleanup: () => void };
  let dbPath: string;
  let store: SqliteCoprocessorStore;
  let kms: LocalKms;

  beforeEach(async () => {
    dir = tempDir('fhekit-fault-');
    dbPath = join(dir.dir, 'coprocessor.db');
    store = openSqliteStore(dbPath);
    const bytes = encryptWithClientKey(FheType.Uint8, 123n, clientKey);
    await store.insertInputCiphertexts([
      { handle: secret, type: FheType.Uint8, bytes, blobHash: hash32(1), index: 0 },
    ]);
    await store.ingestBlock(
      block(1, {
        allowed: [
          {
            handle: secret,
            account: '',
            eventType: AllowedEventType.AllowedForDecryption,
            txHash: hash32(1),
          },
        ],
      }),
    );
    // The ACL as the listener recorded it from the chain's events (the stack asks the chain itself).
    const acl: AclReader = {
      isAllowedForDecryption: (h) => publiclyAllowed(store, h),
      persistAllowed: (h, account) => allowedTo(store, h, account),
      isHandleDelegatedForUserDecryption: async () => false,
    };
    kms = createLocalKms({
      hostChainId: 31337n,
      domain: { gatewayChainId: 10901n, decryptionAddress: getAddress(`0x${'5f'.repeat(20)}`) },
      signers: [privateKeyToAccount(generatePrivateKey())],
      clientKey,
      acl,
      ciphertexts: store,
      waitTimeoutMs: 1000,
    });
  });
  afterEach(async () => {
    await store.close();
    dir.cleanup();
  });

  /** Flips one bit of the stored ciphertext, choosing one that TFHE still decrypts, to another value. */
  function damageSilently(): bigint {
    const db = new Database(dbPath);
    const key = Buffer.from(secret.slice(2), 'hex');
    const bytes = db.prepare('SELECT bytes FROM ciphertexts WHERE handle = ?').pluck().get(key) as Buffer;
    for (let position = bytes.length - 100; position > bytes.length - 200; position--) {
      const damaged = Buffer.from(bytes);
      damaged[position] ^= 0x01;
      let value: bigint;
      try {
        value = decryptWithClientKey(FheType.Uint8, damaged, clientKey);
      } catch {
        continue;
      }
      if (value === 123n) continue;
      db.prepare('UPDATE ciphertexts SET bytes = ? WHERE handle = ?').run(damaged, key);
      db.close();
      return value;
    }
    db.close();
    throw new Error('no silently damaging bit flip found');
  }

  it('is refused with FHE_STORE_CORRUPT instead of a signed wrong plaintext', async () => {
    const before = await kms.publicDecrypt([secret]);
    expect(before.values).toEqual([123n]);

    const wrong = damageSilently();
    expect(wrong).not.toBe(123n);
    const after = kms.publicDecrypt([secret]);
    await expect(after).rejects.toMatchObject({
      code: 'FHE_STORE_CORRUPT',
      message: expect.stringContaining(secret),
      hint: expect.stringContaining('backup'),
    });
  });
});

describe('a deleted keyset manifest', () => {
  let keys: { dir: string; cleanup: () => void };
  beforeEach(() => {
    keys = tempDir('fhekit-fault-keys-');
    cpSync(TEST_KEYS_DIR, keys.dir, { recursive: true });
  });
  afterEach(() => keys.cleanup());

  it('is refused with FHE_KEYSET_MANIFEST_MISSING, replacing nothing', async () => {
    rmSync(join(keys.dir, MANIFEST_FILE));
    const snapshot = () =>
      readdirSync(keys.dir)
        .sort()
        .map((file) => [
          file,
          createHash('sha256')
            .update(readFileSync(join(keys.dir, file)))
            .digest('hex'),
        ]);
    const before = snapshot();
    await expect(ensureKeyset({ dir: keys.dir })).rejects.toMatchObject({
      code: 'FHE_KEYSET_MANIFEST_MISSING',
      message: expect.stringContaining('client-key.bin'),
      hint: expect.stringMatching(/Restore manifest\.json.*--force/),
    });
    expect(snapshot()).toEqual(before);
  });
});

describe('a coprocessor.db that is not a SQLite database', () => {
  let state: { dir: string; cleanup: () => void };
  beforeEach(() => {
    state = tempDir('fhekit-fault-state-');
    mkdirSync(state.dir, { recursive: true });
    writeFileSync(join(state.dir, 'coprocessor.db'), Buffer.alloc(16_384, 0xa5));
  });
  afterEach(() => state.cleanup());

  const unreadable = (dbPath: string) => ({
    code: 'FHE_STORE_UNREADABLE',
    message: expect.stringContaining(dbPath),
    hint: expect.stringContaining('delete the state directory'),
  });

  it('stops the coprocessor with FHE_STORE_UNREADABLE', async () => {
    const dbPath = join(state.dir, 'coprocessor.db');
    const address: Hex = `0x${'11'.repeat(20)}`;
    await expect(
      startCoprocessor({
        dbPath,
        rpcUrl: 'http://127.0.0.1:9',
        addresses: { acl: address, executor: address },
        logger: pino({ level: 'silent' }),
      }),
    ).rejects.toMatchObject(unreadable(dbPath));
  });

  it('makes `fhe dev status` report FHE_STORE_UNREADABLE', async () => {
    await expect(readStackReport(state.dir)).rejects.toMatchObject(
      unreadable(join(state.dir, 'coprocessor.db')),
    );
  });
});
