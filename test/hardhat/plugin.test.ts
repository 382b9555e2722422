import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_KEYS_DIR } from '../test-keys.js';

const PROJECT = fileURLToPath(new URL('./project/', import.meta.url));
const HARDHAT_CLI = join(
  dirname(createRequire(import.meta.url).resolve('hardhat/package.json')),
  'internal/cli/cli.js',
);

/**
 * `hardhat test` on a real Hardhat project (test/hardhat/project) whose config loads the plugin from
 * its sources: real solc-js compile, host contracts on the in-process chain, real TFHE, the real SDK.
 * The project's own mocha tests (test/vault.test.js) hold the assertions; here: all pass, plus the report.
 */
describe('fhekit/hardhat plugin (hardhat test on the in-process network)', () => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'fhekit-hardhat-cache-'));
  afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

  it('runs a mock-mode style suite on real TFHE, through evm_revert and evm_increaseTime', {
    timeout: 1_500_000,
  }, async () => {
    // A clean build, so the compile goes through the offline solc path every time.
    for (const dir of ['artifacts', 'cache']) rmSync(join(PROJECT, dir), { recursive: true, force: true });
    // A failing run rejects with its output attached: keep it, so the assertions below show it.
    const stdout = await promisify(execFile)(process.execPath, ['--import', 'tsx', HARDHAT_CLI, 'test'], {
      cwd: PROJECT,
      env: { ...process.env, FHE_KEYS_DIR: TEST_KEYS_DIR, FHE_CACHE_DIR: cacheDir },
      timeout: 1_400_000,
      maxBuffer: 16 * 1024 * 1024,
    }).then(
      (result) => result.stdout,
      (error: { stdout?: string; stderr?: string }) => `${error.stdout ?? ''}\n${error.stderr ?? ''}`,
    );
    expect(stdout).toContain('compiling with solc-js');
    expect(stdout).toMatch(/7 passing/);
    expect(stdout).not.toMatch(/failing/);
    expect(stdout).toMatch(/FHE operations computed\s+[1-9]/);
    expect(stdout).toMatch(/programmable bootstraps\s+[1-9]/);
    expect(stdout).toMatch(/HCU\s+[1-9]\d* total over [1-9]\d* transactions, max [1-9]/);
  });
});
