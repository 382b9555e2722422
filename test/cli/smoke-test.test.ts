import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_KEYS_DIR } from '../test-keys.js';

const run = promisify(execFile);
const FHE = new URL('../../bin/dev.js', import.meta.url).pathname;

describe('fhe smoke-test (real CLI, its own stack)', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'fhekit-smoke-cli-'));
  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  it('runs every small-type op and a confidential transfer through chain, coprocessor and KMS, all passing', async () => {
    const { stdout } = await run(
      process.execPath,
      [
        FHE,
        'smoke-test',
        '--json',
        '--keys-dir',
        TEST_KEYS_DIR,
        '--state-dir',
        join(stateDir, 'no-running-stack'),
      ],
      { timeout: 1_500_000, maxBuffer: 16 * 1024 * 1024 },
    );
    const report = JSON.parse(stdout) as {
      passed: number;
      results: { name: string; passed: boolean; actual: string }[];
    };
    expect(report.results.filter((r) => !r.passed)).toEqual([]);
    const names = report.results.map((r) => r.name);
    for (const expected of [
      'Add euint8',
      'Mul euint8',
      'Div euint8 scalar 7',
      'Rotr euint8',
      'IfThenElse euint16',
      'Rand euint8',
    ]) {
      expect(names).toContain(expected);
    }
    expect(report.results.find((r) => r.name === 'Token transfer 300 of 1000: sender balance')?.actual).toBe(
      '700',
    );
  }, 1_600_000);
});
