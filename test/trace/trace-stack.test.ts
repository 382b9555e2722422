import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import puppeteer from 'puppeteer-core';
import type { Hex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployFixture } from '../../src/chain/fixtures.js';
import { HOST_ADDRESSES } from '../../src/chain/host-contracts.js';
import { connectToStack, type StackClient } from '../../src/client/stack-client.js';
import { FheType } from '../../src/fhevm/fhe-types.js';
import { type Stack, startStack } from '../../src/stack/start-stack.js';
import { stateDirLayout } from '../../src/state-dir.js';
import { readStackTraces, type TraceRequest } from '../../src/trace/stack-traces.js';
import { buildTransactionTrace, type TransactionTrace } from '../../src/trace/transaction-trace.js';
import { SOLC_CACHE_DIR } from '../chain/fixture-chain.js';
import { until } from '../coprocessor/helpers.js';
import { TEST_KEYS_DIR } from '../test-keys.js';
import { hcuRecordedOnChain } from './onchain-hcu.js';

const run = promisify(execFile);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url).pathname;
const FHE = new URL('../../bin/dev.js', import.meta.url).pathname;
const BOB = '0x000000000000000000000000000000000000b0b0' as const;

/**
 * Confidential transfers on a whole stack (cleartext compute: HCU is the chain's business, and the
 * values decrypt the same), traced from the store and checked against what HCULimit recorded on chain.
 */
describe('fhe trace of a confidential transfer', () => {
  let stack: Stack;
  let client: StackClient;
  let stateDir: string;

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'fhekit-trace-'));
    stack = await startStack({
      stateDir,
      keysDir: TEST_KEYS_DIR,
      compute: 'cleartext',
      inputs: 'direct',
      logger: pino({ level: 'silent' }),
    });
    client = await connectToStack({
      rpcUrl: stack.chain.rpcUrl,
      apiUrl: stack.relayer.url,
      apiToken: readFileSync(stateDirLayout(stateDir).apiToken, 'utf8').trim(),
    });
  });
  afterAll(async () => {
    await stack?.stop();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  /** Mints 1000 to the deployer, then transfers an encrypted 300 to a fresh recipient; returns the transfer's trace. */
  async function transfer(
    name: 'EncryptedERC20' | 'ConfidentialToken',
  ): Promise<{ hash: Hex; trace: TransactionTrace }> {
    const { chain } = stack;
    const args = name === 'ConfidentialToken' ? ['Token', 'TOK'] : [];
    const token = await deployFixture(chain, name, args, { cacheDir: SOLC_CACHE_DIR });
    const send = async (functionName: string, callArgs: readonly unknown[]) => {
      const hash = await chain.walletClient.writeContract({
        address: token.address,
        abi: token.contract.abi,
        functionName,
        args: callArgs,
      } as never);
      expect((await chain.publicClient.waitForTransactionReceipt({ hash })).status).toBe('success');
      return hash;
    };
    await send('mint', [chain.deployer.address, 1000n]);
    const input = await client.directInput(token.address, chain.deployer.address, [
      { type: FheType.Uint64, value: 300n },
    ]);
    const hash =
      name === 'EncryptedERC20'
        ? await send('transfer', [BOB, input.handles[0], input.inputProof])
        : await send('confidentialTransfer', [BOB, input.handles[0], input.inputProof]);
    const trace = await until(
      async () => {
        const t = await buildTransactionTrace(stack.coprocessor.store, hash).catch(() => undefined);
        return t?.status === 'done' ? t : undefined;
      },
      20_000,
      'the transfer computed',
    );
    return { hash, trace: trace! };
  }

  it('gives the HCU of Zama’s EncryptedERC20 transfer, equal to what HCULimit recorded on chain', async () => {
    const { hash, trace } = await transfer('EncryptedERC20');
    expect(
      trace.nodes.map((n) => `${n.op} ${n.resultType}${n.emissions > 1 ? ` x${n.emissions}` : ''}`),
    ).toEqual(['Le ebool', 'TrivialEncrypt euint64 x2', 'IfThenElse euint64', 'Add euint64', 'Sub euint64']);
    // le's lhs is the input (made by VerifyInput, not an op of the trace), select consumes le and the trivial 0.
    const [le, zero, select, add, sub] = trace.nodes;
    expect(select!.operands.map((o) => (o.kind === 'handle' ? o.producer : 'scalar'))).toEqual([0, null, 1]);
    expect(add!.operands.map((o) => (o.kind === 'handle' ? o.producer : 'scalar'))).toEqual([1, 2]);
    expect(sub!.operands.map((o) => (o.kind === 'handle' ? o.producer : 'scalar'))).toEqual([null, 2]);
    expect([le, zero, select, add, sub].map((n) => n!.status)).toEqual([
      'done',
      'done',
      'done',
      'done',
      'done',
    ]);
    expect(trace.totals).toMatchObject({ hcu: 528_064, hcuDepth: 366_000 });
    expect(
      await hcuRecordedOnChain(stack.chain.publicClient, stack.chain.rpcUrl, hash, HOST_ADDRESSES.hcuLimit),
    ).toEqual({
      hcu: trace.totals.hcu,
      hcuDepth: trace.totals.hcuDepth,
    });
  });

  it('matches the chain for the ConfidentialToken transfer too (ge instead of le)', async () => {
    const { hash, trace } = await transfer('ConfidentialToken');
    expect(trace.totals).toMatchObject({ hcu: 531_064, hcuDepth: 369_000 });
    expect(
      await hcuRecordedOnChain(stack.chain.publicClient, stack.chain.rpcUrl, hash, HOST_ADDRESSES.hcuLimit),
    ).toEqual({
      hcu: trace.totals.hcu,
      hcuDepth: trace.totals.hcuDepth,
    });
  });

  it('`fhe trace --last 1 --values` prints the latest transfer with its decrypted values, said to be dev-only', async () => {
    const { stdout } = await run(process.execPath, [
      FHE,
      'trace',
      '--last',
      '1',
      '--values',
      '--state-dir',
      stateDir,
      '--keys-dir',
      TEST_KEYS_DIR,
    ]);
    expect(stdout).toContain('dev-only power');
    // The trivial 0 was computed for the mint already.
    expect(stdout).toMatch(
      /#1 TrivialEncrypt \(scalar\) ×2 → euint64 .* = 0 {2}\[done\] {2}HCU 64 · depth 32 · – PBS · result reused/,
    );
    expect(stdout).toContain('HCU 531,064 / 20,000,000 (2.7%) · depth 369,000 / 5,000,000 (7.4%)');
    expect(stdout).toMatch(/#2 IfThenElse → euint64 0x\w{4}…\w{4} = 300 {2}\[done\]/);

    // Newest first: the ConfidentialToken transfer and its mint, then the EncryptedERC20 transfer.
    const latest = await readStackTraces({ stateDir, target: { last: 3 } });
    expect([latest.traces[0]?.totals.hcu, latest.traces[2]?.totals.hcu]).toEqual([531_064, 528_064]);
    expect(latest.values).toBeUndefined();
  });

  it('refuses an unknown or malformed transaction hash, and a bad --last, with a code and a hint', async () => {
    const trace = (target: TraceRequest['target']) => readStackTraces({ stateDir, target });
    await expect(trace({ txHash: `0x${'ab'.repeat(32)}` })).rejects.toMatchObject({
      code: 'FHE_TRACE_NOT_FOUND',
      hint: expect.stringContaining('fhe trace --last 5'),
    });
    await expect(trace({ txHash: '0x1234' })).rejects.toMatchObject({ code: 'FHE_TRACE_TX_INVALID' });
    await expect(trace({ last: 0 })).rejects.toMatchObject({ code: 'FHE_TRACE_LAST_INVALID' });
    await expect(
      readStackTraces({ stateDir: join(stateDir, 'nothing-here'), target: { last: 1 } }),
    ).rejects.toMatchObject({ code: 'FHE_TRACE_NO_STACK' });
  });

  it('the web page /ui draws the selected transfer’s FHE graph with the numbers of `fhe trace` (headless Chromium)', async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`No Chromium at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH.`);
    const [erc20Transfer] = (await readStackTraces({ stateDir, target: { last: 3 } })).traces.slice(2);
    const token = readFileSync(stateDirLayout(stateDir).apiToken, 'utf8').trim();

    const page = await fetch(`${stack.relayer.url}/ui`);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await page.text()).not.toContain(token);
    expect((await fetch(`${stack.relayer.url}/fhekit/ui/status`)).status).toBe(401);

    const browser = await puppeteer.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const tab = await browser.newPage();
      await tab.setViewport({ width: 1200, height: 900 });
      const errors: string[] = [];
      tab.on('pageerror', (error) => errors.push(String(error)));
      await tab.goto(`${stack.relayer.url}/ui#token=${token}`);
      // The token leaves the address bar at once (it never went to the server: it is a fragment).
      expect(tab.url()).toBe(`${stack.relayer.url}/ui`);
      await tab.waitForSelector(`tr[data-tx="${erc20Transfer!.txHash}"]`);
      await tab.click(`tr[data-tx="${erc20Transfer!.txHash}"]`);
      await tab.waitForFunction(
        `document.getElementById('trace-title').textContent.startsWith('${erc20Transfer!.txHash}')`,
      );
      const nodes = await tab.$$eval('#graph g.node', (gs) =>
        gs.map((g) => ({ op: g.dataset.op, hcu: Number(g.dataset.hcu), done: g.classList.contains('done') })),
      );
      expect(nodes).toEqual(erc20Transfer!.nodes.map((n) => ({ op: n.op, hcu: n.hcu, done: true })));
      expect(nodes.map((n) => n.op)).toEqual(['Le', 'TrivialEncrypt', 'IfThenElse', 'Add', 'Sub']);
      expect(await tab.$$eval('#graph line.edge', (lines) => lines.length)).toBe(5);
      expect(
        await tab.$eval('#trace-totals', (e) => (e as { textContent: string | null }).textContent),
      ).toContain('HCU 528,064 / 20,000,000 (2.6%) · depth 366,000 / 5,000,000 (7.3%)');
      expect(await tab.$$eval('#transactions tr', (rows) => rows.length)).toBe(4);
      mkdirSync(ARTIFACTS, { recursive: true });
      await tab.screenshot({ path: join(ARTIFACTS, 'trace-ui.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
