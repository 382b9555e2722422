import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectToStack } from '../../src/client/stack-client.js';
import { FheType } from '../../src/fhevm/fhe-types.js';
import { runSmokeTest } from '../../src/smoke/run-smoke-test.js';
import { type SmokeCase, smallTypeCases } from '../../src/smoke/smoke-cases.js';
import { resolveSmokeTarget } from '../../src/smoke/smoke-target.js';
import { type Stack, startStack } from '../../src/stack/start-stack.js';
import { SOLC_CACHE_DIR } from '../chain/fixture-chain.js';
import { handle } from '../coprocessor/helpers.js';
import { TEST_KEYS_DIR } from '../test-keys.js';

/** The smoke test against a running stack in parity mode with direct inputs, found from its state dir. */
describe('fhe smoke-test against a parity stack with direct inputs', () => {
  let stack: Stack;
  let stateDir: string;

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'fhekit-smoke-modes-'));
    stack = await startStack({
      stateDir,
      keysDir: TEST_KEYS_DIR,
      compute: 'parity',
      inputs: 'direct',
      logger: pino({ level: 'silent' }),
    });
  });
  afterAll(async () => {
    await stack?.stop();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  it('sends its inputs through the direct route and fails on a recorded parity mismatch', async () => {
    const target = await resolveSmokeTarget({ stateDir, keysDir: TEST_KEYS_DIR });
    expect(target).toMatchObject({ origin: 'running stack', modes: { compute: 'parity', inputs: 'direct' } });
    const client = await connectToStack({
      rpcUrl: target.rpcUrl,
      apiUrl: target.apiUrl,
      apiToken: target.apiToken!,
    });
    // Cheap on the real engine: two ebool inputs (direct), one trivial encryption (no bootstrap).
    const cases = smallTypeCases().filter((c) => c.name === 'TrivialEncrypt euint8');
    const options = {
      cases,
      token: false,
      timeoutMs: 120_000,
      inputs: 'direct' as const,
      solcCacheDir: SOLC_CACHE_DIR,
      parityMismatches: target.parityMismatches!,
    };

    const clean = await runSmokeTest(client, options);
    expect(clean.map((r) => [r.name, r.passed, r.actual])).toEqual([
      ['TrivialEncrypt euint8', true, '42'],
      ['Parity: engine results vs plaintext semantics', true, '0 mismatches'],
    ]);
    expect((await stack.status()).coprocessor.computations.done).toBeGreaterThanOrEqual(1);

    // What the scheduler writes when the engine disagrees with the plaintext semantics.
    await stack.coprocessor.store.recordParityMismatch({
      handle: handle(1),
      op: 'Add',
      type: 'euint8',
      expected: 3n,
      actual: 4n,
    });
    const failed = await runSmokeTest(client, options);
    expect(failed.at(-1)).toMatchObject({ passed: false, actual: '1 mismatches', expected: '0 mismatches' });
  });

  it('reports a case the host contracts refuse as failed, with the revert reason, while the others pass', async () => {
    const target = await resolveSmokeTarget({ stateDir, keysDir: TEST_KEYS_DIR });
    const client = await connectToStack({
      rpcUrl: target.rpcUrl,
      apiUrl: target.apiUrl,
      apiToken: target.apiToken!,
    });
    // A cast to the handle's own type: FHEVMExecutor reverts (InvalidType). Sent without a gas estimate,
    // the transaction is mined as reverted and replayed for its reason.
    const refused: SmokeCase = {
      name: 'Cast euint8 → euint8',
      call: { kind: 'cast', type: FheType.Uint8, to: FheType.Uint8 },
      check: () => true,
      expected: 'a revert',
    };
    const cases = [...smallTypeCases().filter((c) => c.name === 'TrivialEncrypt euint8'), refused];
    const results = await runSmokeTest(client, {
      cases,
      token: false,
      timeoutMs: 120_000,
      inputs: 'direct',
      solcCacheDir: SOLC_CACHE_DIR,
    });
    expect(results[0]).toMatchObject({ name: 'TrivialEncrypt euint8', passed: true, actual: '42' });
    expect(results[1]).toMatchObject({ name: 'Cast euint8 → euint8', passed: false });
    expect(results[1]!.actual).toMatch(
      /^error: cast reverted \(transaction 0x[0-9a-f]{64}\): .* reverted with the following signature: 0x[0-9a-f]{8}/,
    );
  });
});
