import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { startChain } from '../../src/chain/start-chain.js';
import { TEST_KEYS_DIR } from '../test-keys.js';

const run = promisify(execFile);
const FHE = new URL('../../bin/dev.js', import.meta.url).pathname;

/** A loopback port nothing listens on (bound once, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('fhe smoke-test against a stack that is down', () => {
  it('fails fast with FHE_STACK_UNREACHABLE naming the URL that refuses connections', async () => {
    const chain = await startChain();
    const apiUrl = `http://127.0.0.1:${await closedPort()}`;
    try {
      const startedAt = Date.now();
      const failed = (await run(
        process.execPath,
        [FHE, 'smoke-test', '--rpc-url', chain.rpcUrl, '--api-url', apiUrl, '--timeout', '600'],
        { timeout: 120_000 },
      ).catch((error: unknown) => error)) as { code: number; stderr: string };
      expect(failed.code).toBe(1);
      const stderr = failed.stderr.replace(/\s*›\s*/g, ' ').replace(/\s+/g, ' '); // oclif wraps lines
      expect(stderr).toContain(`Nothing answers at ${apiUrl} (relayer API): connection refused.`);
      expect(stderr).toContain('[FHE_STACK_UNREACHABLE]');
      expect(stderr).toContain('fhe dev up');
      expect(Date.now() - startedAt).toBeLessThan(60_000); // CLI startup; no retrying until --timeout
    } finally {
      await chain.stop();
    }
  }, 180_000);
});

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
