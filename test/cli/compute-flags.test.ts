import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_KEYS_DIR } from '../test-keys.js';

const run = promisify(execFile);
const FHE = new URL('../../bin/dev.js', import.meta.url).pathname;

describe('fhe compute: per-call flags come from the command line only (real CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fhekit-compute-flags-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('ignores stray FHE_OUT, FHE_TYPE, FHE_TO_TYPE and FHE_SCALAR exports', async () => {
    const strayOut = join(dir, 'stray.bin');
    const env = {
      ...process.env,
      FHE_OUT: strayOut,
      FHE_TYPE: 'euint16',
      FHE_TO_TYPE: 'euint32',
      FHE_SCALAR: 'true',
    };
    const compute = (...args: string[]) =>
      run(process.execPath, [FHE, 'compute', ...args, '--keys-dir', TEST_KEYS_DIR, '--json'], { env });
    const [encrypted, untyped] = await Promise.all([
      compute('encrypt', '--type', 'euint8', '42'),
      compute('encrypt', '42').then(
        () => undefined,
        (error: { stderr: string }) => error,
      ),
    ]);
    expect(JSON.parse(encrypted.stdout)).toEqual({
      verb: 'encrypt',
      type: 'euint8',
      value: '42',
      computeMs: 0,
    });
    expect(existsSync(strayOut)).toBe(false);
    // Without --type, the exported FHE_TYPE must not pick one.
    expect(untyped?.stderr).toMatch(/--type/);
  }, 120_000);
});
