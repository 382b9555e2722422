import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HardhatNetworkConfig } from 'hardhat/types/config.js';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultFhekitNetwork } from '../../src/hardhat/fhekit-network.js';
import { writeStackRecord } from '../../src/stack/stack-record.js';
import { stateDirLayout } from '../../src/state-dir.js';

const hdHardhat = {
  chainId: 31337,
  accounts: {
    mnemonic: 'test test test test test test test test test test test junk',
    initialIndex: 0,
    count: 20,
    path: "m/44'/60'/0'/0",
    passphrase: '',
    accountsBalance: '10000000000000000000000',
  },
} as unknown as HardhatNetworkConfig;

describe('defaultFhekitNetwork', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fhekit-network-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("points at the running stack's RPC with the in-process network's mnemonic", () => {
    const stateDir = join(dir, 'stack');
    mkdirSync(stateDirLayout(stateDir).root, { recursive: true });
    writeStackRecord(stateDir, {
      pid: process.pid,
      startedAt: new Date().toISOString(),
      rpcUrl: 'http://127.0.0.1:18545',
      apiUrl: 'http://127.0.0.1:18547',
      metricsUrl: 'http://127.0.0.1:19464/metrics',
      chainId: 31337,
      addresses: {},
      compute: 'real',
      inputs: 'proven',
    });
    const network = defaultFhekitNetwork(hdHardhat, stateDir);
    expect(network.url).toBe('http://127.0.0.1:18545');
    expect(network.chainId).toBe(31337);
    expect(network.accounts).toEqual({
      mnemonic: 'test test test test test test test test test test test junk',
      initialIndex: 0,
      count: 20,
      path: "m/44'/60'/0'/0",
      passphrase: '',
    });
  });

  it('falls back to the default port without a stack, and keeps explicit private keys', () => {
    const network = defaultFhekitNetwork(
      { accounts: [{ privateKey: `0x${'11'.repeat(32)}`, balance: '1' }] } as unknown as HardhatNetworkConfig,
      join(dir, 'none'),
    );
    expect(network.url).toBe('http://127.0.0.1:8545');
    expect(network.accounts).toEqual([`0x${'11'.repeat(32)}`]);
    expect(network.chainId).toBeUndefined();
  });
});
