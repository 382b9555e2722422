import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { selectKernels } from '../../src/engine/kernels.js';
import { TEST_KEYS_DIR } from '../test-keys.js';

const run = promisify(execFile);
const FHE = new URL('../../bin/dev.js', import.meta.url).pathname;

/** Processes whose command line mentions `text` (to prove nothing is left behind). */
function processesMentioning(text: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text);
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('fhe dev up --background / status / down (real CLI)', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'fhekit-cli-'));
  const common = ['--state-dir', stateDir];
  afterAll(async () => {
    await run(process.execPath, [FHE, 'dev', 'down', ...common]).catch(() => {});
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('starts a stack in the background, reports it, serves the relayer API, and stops without leftovers', async () => {
    const up = await run(
      process.execPath,
      [
        FHE,
        'dev',
        'up',
        '--background',
        ...common,
        '--keys-dir',
        TEST_KEYS_DIR,
        '--rpc-port',
        '0',
        '--api-port',
        '0',
        '--metrics-port',
        '0',
      ],
      { timeout: 180_000 },
    );
    expect(up.stdout).toContain('Stack running in the background');

    const { stdout } = await run(process.execPath, [FHE, 'dev', 'status', '--json', ...common]);
    const report = JSON.parse(stdout) as {
      running: boolean;
      record: { pid: number; rpcUrl: string; apiUrl: string; metricsUrl: string; kernel?: string };
    };
    expect(report.running).toBe(true);
    expect(report.record.kernel).toBe(selectKernels().label);
    expect(await fetch(report.record.metricsUrl).then((r) => r.text())).toContain(
      'fhekit_coprocessor_cursor_block',
    );

    const rpc = async (method: string) =>
      (
        (await fetch(report.record.rpcUrl, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: [] }),
        }).then((r) => r.json())) as { result: unknown }
      ).result;
    expect(await rpc('eth_accounts')).toHaveLength(200); // default --accounts
    const idle = Number(await rpc('eth_blockNumber'));
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(Number(await rpc('eth_blockNumber'))).toBeGreaterThanOrEqual(idle + 2); // default --idle-block-time 1

    const chainId = await fetch(report.record.rpcUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
    }).then((r) => r.json() as Promise<{ result: string }>);
    expect(Number(chainId.result)).toBe(31337);
    const keyurl = (await fetch(`${report.record.apiUrl}/keyurl`).then((r) => r.json())) as {
      response: { fheKeyInfo: { fhePublicKey: { urls: string[] } }[] };
    };
    const publicKey = await fetch(keyurl.response.fheKeyInfo[0]!.fhePublicKey.urls[0]!).then((r) =>
      r.arrayBuffer(),
    );
    expect(Buffer.from(publicKey).equals(readFileSync(join(TEST_KEYS_DIR, 'public-key.bin')))).toBe(true);

    const down = await run(process.execPath, [FHE, 'dev', 'down', ...common]);
    expect(down.stdout).toContain(`Stopped the stack (pid ${report.record.pid})`);
    expect(processesMentioning(stateDir)).toEqual([]);
    const after = JSON.parse(
      (await run(process.execPath, [FHE, 'dev', 'status', '--json', ...common])).stdout,
    );
    expect(after.running).toBe(false);
  });

  it('a background start that fails shows the child’s own error (code, message, hint)', async () => {
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const failed = await run(process.execPath, [
        FHE,
        'dev',
        'up',
        '--background',
        '--state-dir',
        join(stateDir, 'failing'),
        '--keys-dir',
        TEST_KEYS_DIR,
        '--rpc-port',
        String(port),
      ]).catch((error: { stderr: string; code: number }) => error);
      expect((failed as { code: number }).code).toBe(1);
      const stderr = (failed as { stderr: string }).stderr;
      expect(stderr).toContain(`Port ${port} on 127.0.0.1 is already in use. [FHE_PORT_IN_USE]`);
      expect(stderr).toContain('--rpc-port');
      expect(stderr).not.toContain('sonic boom');
      expect(stderr).not.toContain('FHE_STACK_START_FAILED');
    } finally {
      server.close();
    }
  }, 180_000);
});
