import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInstance, type FhevmInstanceConfig } from '@zama-fhe/relayer-sdk/node';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployFixture } from '../../src/chain/fixtures.js';
import { connectToStack } from '../../src/client/stack-client.js';
import { openPostgresStore } from '../../src/coprocessor/postgres-store.js';
import { FheType } from '../../src/fhevm/fhe-types.js';
import { FheOp } from '../../src/fhevm/operations.js';
import { startApiService } from '../../src/stack/api-service.js';
import { readStackReport } from '../../src/stack/stack-status.js';
import { type Stack, startStack } from '../../src/stack/start-stack.js';
import { stateDirLayout } from '../../src/state-dir.js';
import { SOLC_CACHE_DIR } from '../chain/fixture-chain.js';
import { startTestPostgres } from '../postgres-cluster.js';
import { TEST_KEYS_DIR } from '../test-keys.js';
import { type HandleOps, publishHandle } from './publish-handle.js';

/** A stack on a fresh database of a throwaway cluster (cleartext compute: what is checked is the plumbing). */
async function startPostgresStack(inputs: 'direct' | 'proven') {
  const cluster = await startTestPostgres();
  const url = await cluster.createDatabase();
  const stateDir = mkdtempSync(join(tmpdir(), 'fhekit-pg-stack-'));
  const stack = await startStack({
    stateDir,
    keysDir: TEST_KEYS_DIR,
    compute: 'cleartext',
    inputs,
    databaseUrl: url,
    rpcPort: 0,
    apiPort: 0,
    metricsPort: 0,
    logger: pino({ level: 'silent' }),
  });
  const stop = async () => {
    await stack.stop();
    await cluster.stop();
    rmSync(stateDir, { recursive: true, force: true });
  };
  return { cluster, url, stateDir, stack, stop };
}

/** `fhe dev up --database-url`: the listener, the worker and the API of one process on PostgreSQL. */
describe('a stack on PostgreSQL', () => {
  let stack: Stack;
  let stateDir: string;
  let url: string;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    ({ stack, stateDir, url, stop } = await startPostgresStack('direct'));
  });
  afterAll(() => stop?.());

  it('stores inputs and results in the database, the KMS decrypts from it, and dev status reads it', async () => {
    const ops = (await deployFixture(stack.chain, 'HandleOps', [], {
      cacheDir: SOLC_CACHE_DIR,
    })) as HandleOps;
    const client = await connectToStack({
      rpcUrl: stack.chain.rpcUrl,
      apiUrl: stack.relayer.url,
      apiToken: readFileSync(stateDirLayout(stateDir).apiToken, 'utf8').trim(),
    });
    const input = await client.directInput(ops.address, stack.chain.deployer.address, [
      { type: FheType.Uint8, value: 200n },
      { type: FheType.Uint8, value: 100n },
    ]);
    const publish = (fn: string, args: readonly unknown[]) => publishHandle(stack.chain, ops, fn, args);
    const a = await publish('inputEuint8', [input.handles[0], input.inputProof]);
    const b = await publish('inputEuint8', [input.handles[1], input.inputProof]);
    const sum = await publish('binary', [FheOp.Add, a, b, false]);
    const sdk = await createInstance(stack.sdkConfig() as FhevmInstanceConfig);
    expect((await sdk.publicDecrypt([sum])).clearValues).toEqual({ [sum]: 44n });

    const reader = await openPostgresStore(url);
    try {
      expect(await reader.computationsFor(sum)).toMatchObject([{ status: 'done' }]);
      expect((await reader.getCiphertext(a))?.inputIndex).toBe(0);
    } finally {
      await reader.close();
    }
    const report = await readStackReport(stateDir, url);
    expect(report.coprocessor).toMatchObject({ computations: { done: 1, error: 0 }, workers: [] });
    // Nothing in the state dir's SQLite file: the stack never opened one.
    expect((await readStackReport(stateDir)).coprocessor).toBeUndefined();
  });
});

describe('fhe coprocessor api beside a stack on PostgreSQL', () => {
  let stack: Stack;
  let stateDir: string;
  let url: string;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    ({ stack, stateDir, url, stop } = await startPostgresStack('proven'));
  });
  afterAll(() => stop?.());

  const apiConfig = () => ({
    databaseUrl: url,
    rpcUrl: stack.chain.rpcUrl,
    aclAddress: stack.chain.addresses.acl,
    keysDir: TEST_KEYS_DIR,
    signersFile: stateDirLayout(stateDir).chain.signers,
    apiTokenFile: join(stateDir, 'second-api', 'api-token'),
    apiPort: 0,
    inputs: 'direct' as const,
    logger: pino({ level: 'silent' }),
  });

  it('takes inputs into the shared database and decrypts what the workers computed from it', async () => {
    const api = await startApiService(apiConfig());
    try {
      const ops = (await deployFixture(stack.chain, 'HandleOps', [], {
        cacheDir: SOLC_CACHE_DIR,
      })) as HandleOps;
      // The stack's own API (and its token) is not used: the second API is the only gateway here.
      const client = await connectToStack({
        rpcUrl: stack.chain.rpcUrl,
        apiUrl: api.url,
        apiToken: readFileSync(apiConfig().apiTokenFile, 'utf8').trim(),
      });
      const input = await client.directInput(ops.address, stack.chain.deployer.address, [
        { type: FheType.Uint8, value: 7n },
        { type: FheType.Uint8, value: 6n },
      ]);
      const publish = (fn: string, args: readonly unknown[]) => publishHandle(stack.chain, ops, fn, args);
      const a = await publish('inputEuint8', [input.handles[0], input.inputProof]);
      const b = await publish('inputEuint8', [input.handles[1], input.inputProof]);
      const product = await publish('binary', [FheOp.Mul, a, b, false]);
      const sdk = await createInstance({
        ...stack.sdkConfig(),
        relayerUrl: api.url,
      } as FhevmInstanceConfig);
      expect((await sdk.publicDecrypt([product])).clearValues).toEqual({ [product]: 42n });
    } finally {
      await api.stop();
    }
  });

  it('refuses to start without the signer keys the host contracts know, naming the file', async () => {
    await expect(
      startApiService({ ...apiConfig(), signersFile: join(stateDir, 'no-such-signers.json') }),
    ).rejects.toMatchObject({ code: 'FHE_SIGNERS_MISSING' });
  });
});

describe('a stack on a PostgreSQL database of another keyset', () => {
  it('refuses to start, naming the mismatch', async () => {
    const cluster = await startTestPostgres();
    const stateDir = mkdtempSync(join(tmpdir(), 'fhekit-pg-stack-'));
    try {
      const url = await cluster.createDatabase();
      const store = await openPostgresStore(url);
      await store.bindKeyset('0'.repeat(64));
      await store.close();
      await expect(
        startStack({
          stateDir,
          keysDir: TEST_KEYS_DIR,
          compute: 'cleartext',
          databaseUrl: url,
          rpcPort: 0,
          apiPort: 0,
          metricsPort: 0,
          logger: pino({ level: 'silent' }),
        }),
      ).rejects.toMatchObject({ code: 'FHE_STORE_KEYSET_MISMATCH' });
    } finally {
      await cluster.stop();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
