import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HARDHAT_PROJECT, hardhatTest } from './hardhat-project.js';

/**
 * `hardhat test` on a real Hardhat project (test/hardhat/project): real solc-js compile, host contracts
 * on the in-process chain, real TFHE, the real SDK. The project's own mocha tests (test/vault.test.js)
 * hold the assertions; here: all pass, plus the report.
 */
describe('fhekit/hardhat plugin (hardhat test on the in-process network)', () => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'fhekit-hardhat-cache-'));
  afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

  it('runs a mock-mode style suite on real TFHE, through evm_revert and evm_increaseTime', {
    timeout: 1_500_000,
  }, async () => {
    // A clean build, so the compile goes through the offline solc path every time.
    for (const dir of ['artifacts', 'cache']) {
      rmSync(join(HARDHAT_PROJECT, dir), { recursive: true, force: true });
    }
    const { out } = await hardhatTest(cacheDir);
    expect(out).toContain('compiling with solc-js');
    expect(out).toMatch(/11 passing/);
    expect(out).not.toMatch(/failing/);
    expect(out).toContain('real TFHE report');
    expect(out).toMatch(/FHE operations computed\s+[1-9]/);
    expect(out).toMatch(/programmable bootstraps\s+[1-9]/);
    expect(out).toMatch(/HCU\s+[1-9]\d* total over [1-9]\d* transactions, max [1-9]/);
  });

  it('FHE_COMPUTE=cleartext runs the same suite without the TFHE engine', { timeout: 600_000 }, async () => {
    const { ok, out } = await hardhatTest(cacheDir, { FHE_COMPUTE: 'cleartext' });
    expect(out).toMatch(/11 passing/);
    expect(out).toContain('cleartext compute (plaintext semantics, no TFHE engine) report');
    expect(out).toMatch(/FHE operations computed\s+[1-9]/);
    expect(out).toMatch(/programmable bootstraps\s+0\b/);
    expect(ok).toBe(true);
  });

  it('an unknown FHE_COMPUTE is FHE_BAD_COMPUTE_MODE, not a run', { timeout: 600_000 }, async () => {
    const { ok, out } = await hardhatTest(cacheDir, { FHE_COMPUTE: 'fast' });
    expect(ok).toBe(false);
    expect(out).toContain('FHE_BAD_COMPUTE_MODE');
    expect(out).not.toMatch(/passing/);
  });
});
