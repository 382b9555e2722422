import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_KEYS_DIR } from '../test-keys.js';

const run = promisify(execFile);
const FHE = new URL('../../bin/dev.js', import.meta.url).pathname;

describe('FHE_COMPUTE=cleartext FHE_INPUTS=direct fhe dev up, then fhe smoke-test and fhe dev status (real CLI)', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'fhekit-cli-modes-'));
  const common = ['--state-dir', stateDir];
  const env = { ...process.env, FHE_COMPUTE: 'cleartext', FHE_INPUTS: 'direct' };
  afterAll(async () => {
    await run(process.execPath, [FHE, 'dev', 'down', ...common]).catch(() => {});
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('runs the whole smoke test with direct inputs in cleartext, and the status reports the modes and counts', async () => {
    await run(
      process.execPath,
      [FHE, 'dev', 'up', '--background', ...common, '--keys-dir', TEST_KEYS_DIR].concat([
        '--rpc-port',
        '0',
        '--api-port',
        '0',
        '--metrics-port',
        '0',
      ]),
      { env, timeout: 180_000 },
    );
    // The smoke test finds the running stack (and its API token) in the state dir.
    const smoke = await run(
      process.execPath,
      [FHE, 'smoke-test', '--json', '--profile', ...common, '--inputs', 'direct'],
      {
        timeout: 600_000,
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    const report = JSON.parse(smoke.stdout) as {
      results: { name: string; passed: boolean }[];
      profile: { label: string; startMs: number; ms: number }[];
    };
    expect(report.results.filter((r) => !r.passed)).toEqual([]);
    expect(report.results.map((r) => r.name)).toContain('Token transfer 300 of 1000: sender balance');
    // --profile: where the time went, in order of start (the cases and the token transfer overlap).
    const cases = report.results.length - 4;
    expect(report.profile.map((p) => p.label)).toEqual([
      'find or start the stack',
      'connect (SDK instance: keys, gateway domains)',
      'compile and deploy fixtures',
      'inputs: direct (stack encrypts and signs)',
      'token transfers (mint, 2 transfers, user decryptions)',
      'input transactions (6, at once)',
      `case transactions (${cases}, at once)`,
      `case decryptions (${cases}, SDK public decryption)`,
      'release',
    ]);

    const json = JSON.parse(
      (await run(process.execPath, [FHE, 'dev', 'status', '--json', ...common])).stdout,
    ) as {
      record: { compute: string; inputs: string };
      coprocessor: { cleartextHandles: number; parityMismatches: number; computations: { done: number } };
    };
    expect(json.record).toMatchObject({ compute: 'cleartext', inputs: 'direct' });
    expect(json.coprocessor.parityMismatches).toBe(0);
    expect(json.coprocessor.cleartextHandles).toBeGreaterThan(40);
    const human = (await run(process.execPath, [FHE, 'dev', 'status', ...common])).stdout;
    expect(human).toContain('compute cleartext · inputs direct');
    expect(human).toContain(
      `${json.coprocessor.cleartextHandles} handles computed in cleartext · 0 parity mismatches`,
    );
  }, 900_000);
});
