import { chmodSync, cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SERIALIZATION_LIMIT } from '../../src/fhevm/limits.js';
import { ensureKeyset } from '../../src/keys/ensure-keyset.js';
import { MANIFEST_FILE } from '../../src/keys/keyset-files.js';
import { makePrivateDir, writeKeysetPart } from '../../src/keys/keyset-permissions.js';
import { loadKeyset } from '../../src/keys/load-keyset.js';
import { TEST_KEYS_DIR } from '../test-keys.js';

const scratchDirs: string[] = [];
function copyOfTestKeyset(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fhekit-keys-'));
  scratchDirs.push(dir);
  cpSync(TEST_KEYS_DIR, dir, { recursive: true });
  return dir;
}
afterEach(() => {
  for (const dir of scratchDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('keyset cache', () => {
  it('reuses a valid keyset without regenerating it', async () => {
    const dir = copyOfTestKeyset();
    const before = readFileSync(join(dir, MANIFEST_FILE), 'utf8');
    const result = await ensureKeyset({ dir });
    expect(result.reused).toBe(true);
    expect(readFileSync(join(dir, MANIFEST_FILE), 'utf8')).toBe(before);
    expect(Object.keys(result.manifest.files).sort()).toEqual([
      'client-key.bin',
      'crs-2048.bin',
      'eval-keys.bin',
      'public-key.bin',
      'server-key.compressed.bin',
    ]);
  });

  it('names a truncated key file and leaves it untouched', async () => {
    const dir = copyOfTestKeyset();
    const crs = join(dir, 'crs-2048.bin');
    writeFileSync(crs, readFileSync(crs).subarray(0, 1000));
    await expect(ensureKeyset({ dir })).rejects.toMatchObject({
      code: 'FHE_KEYSET_CORRUPT',
      message: expect.stringContaining('crs-2048.bin'),
    });
    expect(readFileSync(crs).length).toBe(1000);
  });

  it('names a key file whose bytes changed but not its size', () => {
    const dir = copyOfTestKeyset();
    const pk = join(dir, 'public-key.bin');
    const bytes = readFileSync(pk);
    bytes[bytes.length - 7] ^= 0x40;
    writeFileSync(pk, bytes);
    expect(() => loadKeyset(dir)).toThrow(
      expect.objectContaining({
        code: 'FHE_KEYSET_CORRUPT',
        message: expect.stringContaining('public-key.bin'),
      }),
    );
  });

  it('reports a missing file and a keyset made by another tfhe build', () => {
    const missing = copyOfTestKeyset();
    rmSync(join(missing, 'client-key.bin'));
    expect(() => loadKeyset(missing)).toThrow(expect.objectContaining({ code: 'FHE_KEYSET_INCOMPLETE' }));

    const stale = copyOfTestKeyset();
    const manifest = JSON.parse(readFileSync(join(stale, MANIFEST_FILE), 'utf8'));
    manifest.libraries['node-tfhe'] = '0.0.1';
    writeFileSync(join(stale, MANIFEST_FILE), JSON.stringify(manifest));
    expect(() => loadKeyset(stale)).toThrow(expect.objectContaining({ code: 'FHE_KEYSET_STALE' }));
  });

  it('refuses a manifest that is JSON but not a manifest, instead of generating over it', async () => {
    const dir = copyOfTestKeyset();
    writeFileSync(join(dir, MANIFEST_FILE), 'null');
    await expect(ensureKeyset({ dir })).rejects.toMatchObject({ code: 'FHE_KEYSET_CORRUPT' });
    expect(readFileSync(join(dir, 'client-key.bin'))).toEqual(
      readFileSync(join(TEST_KEYS_DIR, 'client-key.bin')),
    );
  });

  it('says how to create a keyset when there is none', () => {
    const empty = mkdtempSync(join(tmpdir(), 'fhekit-nokeys-'));
    scratchDirs.push(empty);
    expect(() => loadKeyset(empty)).toThrow(
      expect.objectContaining({ code: 'FHE_KEYSET_MISSING', hint: expect.stringContaining('generate-keys') }),
    );
  });
});

describe('keyset permissions', () => {
  const modeOf = (path: string) => statSync(path).mode & 0o777;

  it('writes the client key owner-only and public parts as usual, in an owner-only directory', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'fhekit-keygen-')), 'nested', 'keys');
    scratchDirs.push(dir);
    makePrivateDir(dir);
    const bytes = new Uint8Array([1, 2, 3]);
    writeKeysetPart(dir, 'clientKey', bytes);
    writeKeysetPart(dir, 'publicKey', bytes);
    expect(modeOf(dir)).toBe(0o700);
    expect(modeOf(join(dir, '..'))).toBe(0o700);
    expect(modeOf(join(dir, 'client-key.bin'))).toBe(0o600);
    expect(modeOf(join(dir, 'public-key.bin')) & 0o600).toBe(0o600);
  });

  it('tightens a reused keyset with loose permissions, and says so once', async () => {
    const dir = copyOfTestKeyset();
    chmodSync(dir, 0o755);
    chmodSync(join(dir, 'client-key.bin'), 0o644);
    const first = await ensureKeyset({ dir });
    expect(first.reused).toBe(true);
    expect(first.tightenedPermissions).toEqual([dir, join(dir, 'client-key.bin')]);
    expect(modeOf(dir)).toBe(0o700);
    expect(modeOf(join(dir, 'client-key.bin'))).toBe(0o600);
    expect((await ensureKeyset({ dir })).tightenedPermissions).toEqual([]);
  });
});

describe('compatibility with the relayer SDK tfhe build', () => {
  it('verifies and decrypts a proven list the SDK tfhe build encrypted with our public key and CRS', async () => {
    // Load node-tfhe exactly as @zama-fhe/relayer-sdk resolves it, to prove our keys work with its build.
    const sdkRequire = createRequire(
      createRequire(import.meta.url).resolve('@zama-fhe/relayer-sdk/package.json'),
    );
    const sdkManifest = sdkRequire('./package.json') as { dependencies: Record<string, string> };
    const sdkTfhe = sdkRequire('node-tfhe') as typeof import('node-tfhe');
    expect(sdkRequire('node-tfhe/package.json').version).toBe(sdkManifest.dependencies['node-tfhe']);

    const keyset = loadKeyset(TEST_KEYS_DIR);
    const sdkPublicKey = sdkTfhe.TfheCompactPublicKey.safe_deserialize(
      keyset.read('publicKey'),
      SERIALIZATION_LIMIT,
    );
    const sdkCrs = sdkTfhe.CompactPkeCrs.safe_deserialize(keyset.read('crs'), SERIALIZATION_LIMIT);
    const metadata = new Uint8Array(92).fill(7);
    const builder = sdkTfhe.ProvenCompactCiphertextList.builder(sdkPublicKey);
    builder.push_boolean(true);
    builder.push_u8(201);
    const proven = builder
      .build_with_proof_packed(sdkCrs, metadata, sdkTfhe.ZkComputeLoad.Verify)
      .safe_serialize(SERIALIZATION_LIMIT);

    const tfhe = await import('node-tfhe');
    const clientKey = tfhe.TfheClientKey.safe_deserialize(keyset.read('clientKey'), SERIALIZATION_LIMIT);
    tfhe.set_server_key(tfhe.TfheServerKey.new(clientKey));
    const list = tfhe.ProvenCompactCiphertextList.safe_deserialize(proven, SERIALIZATION_LIMIT);
    const crs = tfhe.CompactPkeCrs.safe_deserialize(keyset.read('crs'), SERIALIZATION_LIMIT);
    const publicKey = tfhe.TfheCompactPublicKey.safe_deserialize(
      keyset.read('publicKey'),
      SERIALIZATION_LIMIT,
    );
    expect(() => list.verify_and_expand(crs, publicKey, new Uint8Array(92).fill(8))).toThrow();
    const expander = list.verify_and_expand(crs, publicKey, metadata);
    expect(expander.get_bool(0).decrypt(clientKey)).toBe(true);
    expect(expander.get_uint8(1).decrypt(clientKey)).toBe(201);
    // Proof generation and node-tfhe's own expansion take ~20 s alone, minutes on a loaded 2-core runner.
  }, 600_000);
});
