import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hardhatTest } from './hardhat-project.js';

/** Parity mode runs the engine and the plaintext semantics on every computation: the wide suite's. */
describe('fhekit/hardhat plugin in parity mode', () => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'fhekit-hardhat-cache-'));
  afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

  it('FHE_COMPUTE=parity reports zero mismatches and passes', { timeout: 1_500_000 }, async () => {
    const { ok, out } = await hardhatTest(cacheDir, { FHE_COMPUTE: 'parity' });
    expect(out).toMatch(/11 passing/);
    expect(out).toContain('parity compute (real TFHE checked against the plaintext semantics) report');
    expect(out).toMatch(/parity mismatches\s+0\b/);
    expect(ok).toBe(true);
  });
});
