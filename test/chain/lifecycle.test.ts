import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createWalletClient, type Hex, http } from 'viem';
import { mnemonicToAccount } from 'viem/accounts';
import { afterAll, describe, expect, it } from 'vitest';
import { startAnvil } from '../../src/chain/anvil.js';
import { deployContract } from '../../src/chain/deploy.js';
import { ANVIL_MNEMONIC, startChain } from '../../src/chain/start-chain.js';
import { FhekitError } from '../../src/errors.js';
import { chainFiles } from '../../src/state-dir.js';
import { deployFixture, transact } from './fixture-chain.js';

const SECOND_ACCOUNT = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'; // anvil dev account 1
const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fhekit-chain-test-'));
  dirs.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Runs test/chain/chain-child.ts: a separate host process with its own chain. */
function startChainChild(stateDir?: string) {
  const script = fileURLToPath(new URL('chain-child.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...(stateDir ? [stateDir] : [])], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once('exit', (_code, signal) => resolve(signal)),
  );
  const started = new Promise<{ pid: number; stateDir: string }>((resolve, reject) => {
    child.stdout.once('data', (chunk: Buffer) => resolve(JSON.parse(chunk.toString('utf8'))));
    child.once('exit', () => reject(new Error('chain child exited before reporting')));
  });
  return { process: child, started, exited };
}

/** An orphan that exited may linger as a zombie nobody reaps: check it is still anvil, not just a pid. */
function isAnvilProcess(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('anvil');
  } catch {
    return false;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('chain lifecycle', () => {
  it('keeps contracts, storage, logs and signer keys across a restart with the same state dir', async () => {
    const stateDir = tempDir();
    const first = await startChain({ stateDir });
    const token = await deployFixture(first, 'ConfidentialToken', ['Test', 'TST']);
    await transact(first, token, 'mint', [first.deployer.address, 100n]);
    const balance = await token.contract.read.confidentialBalanceOf([first.deployer.address]);
    const block = await first.publicClient.getBlockNumber();
    const signers = [first.signers.coprocessor.address, first.signers.kms.address];
    await first.stop();
    expect(isRunning(first.pid)).toBe(false);

    const second = await startChain({ stateDir });
    try {
      expect(second.hostContracts).toBe('already-installed');
      expect([second.signers.coprocessor.address, second.signers.kms.address]).toEqual(signers);
      expect(await second.publicClient.getBlockNumber()).toBeGreaterThanOrEqual(block);
      const restored = await second.publicClient.readContract({
        address: token.address,
        abi: token.contract.abi,
        functionName: 'confidentialBalanceOf',
        args: [second.deployer.address],
      });
      expect(restored).toBe(balance);
      const logs = await second.publicClient.getLogs({ address: second.addresses.executor, fromBlock: 0n });
      expect(logs.length).toBeGreaterThan(0);
      // The restored chain still computes on restored handles: the transfer reads the minted balance.
      const transferLogs = await transact(second, token, 'transferPlain', [SECOND_ACCOUNT, 30n]);
      const touchedExecutor = transferLogs.some(
        (log) => log.address.toLowerCase() === second.addresses.executor.toLowerCase(),
      );
      expect(touchedExecutor).toBe(true);
    } finally {
      await second.stop();
    }
    expect(isRunning(second.pid)).toBe(false);
    expect(readFileSync(chainFiles(stateDir).log, 'utf8')).toContain('Listening on');
  });

  it('keeps every confirmed transaction when anvil is killed with SIGKILL 100 ms after the receipts', async () => {
    const stateDir = tempDir();
    const first = await startChain({ stateDir });
    const hashes: Hex[] = [];
    for (let i = 0; i < 30; i++) {
      const hash = await first.walletClient.sendTransaction({ to: SECOND_ACCOUNT, value: BigInt(i + 1) });
      await first.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
      hashes.push(hash);
    }
    // A block is on disk a few ms after anvil announces it; clients poll receipts every 100 ms or more.
    await new Promise((resolve) => setTimeout(resolve, 100));
    process.kill(first.pid, 'SIGKILL');
    expect((await first.exited).message).toContain('signal SIGKILL');
    await first.stop();

    const second = await startChain({ stateDir });
    try {
      for (const hash of hashes) {
        expect((await second.publicClient.getTransactionReceipt({ hash })).status).toBe('success');
      }
    } finally {
      await second.stop();
    }
  });

  it('funds the first N accounts of the mnemonic (account #150 has a balance)', async () => {
    const chain = await startChain({ accounts: 200 });
    try {
      const accounts = await createWalletClient({ transport: http(chain.rpcUrl) }).getAddresses(); // eth_accounts
      expect(accounts).toHaveLength(200);
      const account150 = mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: 150 }).address;
      expect(accounts[150]?.toLowerCase()).toBe(account150.toLowerCase());
      expect(await chain.publicClient.getBalance({ address: account150 })).toBeGreaterThan(0n);
    } finally {
      await chain.stop();
    }
  });

  it('mines an empty block every second when idle, and still a block per transaction at once', async () => {
    const chain = await startChain({ idleBlockSeconds: 1 });
    try {
      const idle = await chain.publicClient.getBlockNumber();
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      expect(await chain.publicClient.getBlockNumber()).toBeGreaterThanOrEqual(idle + 2n);

      const sentAt = performance.now();
      const hash = await chain.walletClient.sendTransaction({ to: SECOND_ACCOUNT, value: 1n });
      await chain.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
      expect(performance.now() - sentAt).toBeLessThan(500); // automine kept: no wait for the interval
    } finally {
      await chain.stop();
    }
  });

  it('refuses a state dir whose chain was set up with other signer keys', async () => {
    const stateDir = tempDir();
    const first = await startChain({ stateDir });
    await first.stop();
    rmSync(chainFiles(stateDir).signers);
    const error = await startChain({ stateDir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FhekitError);
    expect((error as FhekitError).code).toBe('FHE_HOST_CONTRACTS_MISMATCH');
  });

  it('reports a port that is already taken as a FhekitError, and starts nothing', async () => {
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const error = await startAnvil({ port, logFile: join(tempDir(), 'anvil.log') }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(FhekitError);
      expect((error as FhekitError).code).toBe('FHE_PORT_IN_USE');
      // The flag `fhe dev up` really has (there is no --port).
      expect((error as FhekitError).hint).toMatch(/--rpc-port .*FHE_RPC_PORT/);
    } finally {
      server.close();
    }
  });

  it('stop() ends the anvil process and releases its port; a second stop() is a no-op', async () => {
    const anvil = await startAnvil({ logFile: join(tempDir(), 'anvil.log') });
    expect(isRunning(anvil.pid)).toBe(true);
    await anvil.stop();
    await anvil.stop();
    expect(isRunning(anvil.pid)).toBe(false);
    const again = await startAnvil({ port: anvil.port, logFile: join(tempDir(), 'anvil.log') });
    await again.stop();
  });

  it('Ctrl-C (SIGINT) on the host process stops anvil and then lets the process exit', async () => {
    const child = startChainChild();
    const started = await child.started;
    expect(isRunning(started.pid)).toBe(true);

    child.process.kill('SIGINT');
    expect(await child.exited).toBe('SIGINT');
    expect(isRunning(started.pid)).toBe(false);
    expect(existsSync(started.stateDir)).toBe(false);
  });

  it('refuses to start a second chain on a state dir in use, and takes over from an orphaned anvil', async () => {
    const stateDir = tempDir();
    const running = await startChain({ stateDir });
    try {
      const error = await startChain({ stateDir }).catch((e: unknown) => e);
      expect((error as FhekitError).code).toBe('FHE_CHAIN_ALREADY_RUNNING');
    } finally {
      await running.stop();
    }

    // A host process killed outright leaves its anvil running; the next start stops it and reuses the state.
    const child = startChainChild(stateDir);
    const orphan = await child.started;
    child.process.kill('SIGKILL');
    await child.exited;
    expect(isAnvilProcess(orphan.pid)).toBe(true);

    const next = await startChain({ stateDir });
    try {
      expect(isAnvilProcess(orphan.pid)).toBe(false);
      expect(next.hostContracts).toBe('already-installed');
    } finally {
      await next.stop();
    }
  });

  it('mines on an interval with blockTimeSeconds, and deploys code over 24 KiB only when codeSizeLimit allows', async () => {
    // Creation code that returns 25,000 zero bytes of runtime code: PUSH2 25000, PUSH1 0, RETURN.
    const oversized = {
      contractName: 'Oversized',
      abi: [],
      bytecode: '0x6161a86000f3',
      deployedBytecode: `0x${'00'.repeat(25_000)}`,
    } as const;
    const plain = await startChain();
    try {
      const error = await deployContract(plain, oversized).catch((e: unknown) => e);
      expect((error as FhekitError).code).toBe('FHE_CONTRACT_TOO_LARGE');
    } finally {
      await plain.stop();
    }

    const chain = await startChain({ blockTimeSeconds: 1, codeSizeLimit: 65_536 });
    try {
      const deployed = await deployContract(chain, oversized);
      expect(await chain.publicClient.getCode({ address: deployed.address })).toBe(
        oversized.deployedBytecode,
      );
      const before = await chain.publicClient.getBlockNumber();
      await new Promise((resolve) => setTimeout(resolve, 2_200));
      expect(await chain.publicClient.getBlockNumber()).toBeGreaterThanOrEqual(before + 2n);
    } finally {
      await chain.stop();
    }
  });
});
