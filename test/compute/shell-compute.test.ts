import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { shellCompute } from '../../src/compute/shell-compute.js';
import { selectKernels } from '../../src/engine/kernels.js';
import { FheType } from '../../src/fhevm/fhe-types.js';
import { TEST_KEYS_DIR } from '../test-keys.js';

describe('fhe compute (library)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fhekit-compute-'));
  const base = { keysDir: TEST_KEYS_DIR, stateDir: join(dir, 'no-stack'), scalar: false };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('encrypts plaintext operands, computes, and decrypts with wrap-around semantics', async () => {
    const result = await shellCompute({
      ...base,
      verb: 'add',
      operands: ['200', '100'],
      type: FheType.Uint8,
    });
    expect(result.type).toBe(FheType.Uint8);
    expect(result.value).toBe(44n);
    expect(result.expected).toBe(44n);
    // The kernels FHE_KERNEL selects (native when built here, else wasm) ran the op.
    expect(result.kernel).toBe(selectKernels().label);
  });

  it('chains ciphertext files: encrypt, scalar shift, decrypt', async () => {
    const encrypted = await shellCompute({
      ...base,
      verb: 'encrypt',
      operands: ['0xb3'],
      type: FheType.Uint8,
    });
    const file = join(dir, 'x.bin');
    writeFileSync(file, encrypted.ciphertext!);
    const shifted = await shellCompute({ ...base, verb: 'shl', operands: [file, '3'], scalar: true });
    expect(shifted.type).toBe(FheType.Uint8);
    expect(shifted.value).toBe((0xb3n << 3n) & 0xffn);
    const out = join(dir, 'y.bin');
    writeFileSync(out, shifted.ciphertext!);
    const decrypted = await shellCompute({ ...base, verb: 'decrypt', operands: [out] });
    expect(decrypted.value).toBe((0xb3n << 3n) & 0xffn);
  });

  it('compares into an ebool and refuses what it cannot read', async () => {
    const lt = await shellCompute({ ...base, verb: 'lt', operands: ['7', '9'], type: FheType.Uint8 });
    expect(lt.type).toBe(FheType.Bool);
    expect(lt.value).toBe(1n);
    await expect(
      shellCompute({ ...base, verb: 'add', operands: ['1', join(dir, 'missing.bin')], type: FheType.Uint8 }),
    ).rejects.toMatchObject({
      code: 'FHE_COMPUTE_OPERAND',
    });
    await expect(shellCompute({ ...base, verb: 'add', operands: ['1', '2'] })).rejects.toMatchObject({
      code: 'FHE_COMPUTE_TYPE_REQUIRED',
    });
    await expect(
      shellCompute({ ...base, verb: 'decrypt', operands: [`0x${'ab'.repeat(32)}`] }),
    ).rejects.toMatchObject({
      code: 'FHE_COMPUTE_OPERAND',
    });
  });
});
