import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInstance, type FhevmInstanceConfig } from '@zama-fhe/relayer-sdk/node';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployFixture } from '../../src/chain/fixtures.js';
import { connectToStack, type StackClient } from '../../src/client/stack-client.js';
import { FheType } from '../../src/fhevm/fhe-types.js';
import { binaryOpHandle } from '../../src/fhevm/handles.js';
import { FheOp } from '../../src/fhevm/operations.js';
import { connectToStackBackend } from '../../src/hardhat/stack-backend.js';
import { readStackRecord } from '../../src/stack/stack-record.js';
import { type Stack, startStack } from '../../src/stack/start-stack.js';
import { stateDirLayout } from '../../src/state-dir.js';
import { SOLC_CACHE_DIR } from '../chain/fixture-chain.js';
import { TEST_KEYS_DIR } from '../test-keys.js';
import { type HandleOps, publishHandle } from './publish-handle.js';

/**
 * A whole stack in the fast inner-loop modes (`--compute cleartext --inputs direct`): inputs handed over
 * in plaintext through the relayer route, accepted by `FHE.fromExternal` on chain, computed in
 * cleartext, and decrypted through the real KMS and the real SDK.
 */
describe('a stack with --compute cleartext --inputs direct', () => {
  let stack: Stack;
  let ops: HandleOps;
  let client: StackClient;
  let stateDir: string;

  const publish = (functionName: string, args: readonly unknown[]) =>
    publishHandle(stack.chain, ops, functionName, args);

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'fhekit-modes-stack-'));
    stack = await startStack({
      stateDir,
      keysDir: TEST_KEYS_DIR,
      compute: 'cleartext',
      inputs: 'direct',
      logger: pino({ level: 'silent' }),
    });
    ops = (await deployFixture(stack.chain, 'HandleOps', [], { cacheDir: SOLC_CACHE_DIR })) as HandleOps;
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

  it('takes direct inputs on chain, computes add and select in cleartext, and the KMS decrypts them', async () => {
    const user = stack.chain.deployer.address;
    const input = await client.directInput(ops.address, user, [
      { type: FheType.Uint8, value: 200n },
      { type: FheType.Uint8, value: 100n },
      { type: FheType.Bool, value: 0n },
    ]);
    // InputVerifier accepts the stack's signature over the directly encrypted handles.
    const a = await publish('inputEuint8', [input.handles[0], input.inputProof]);
    const b = await publish('inputEuint8', [input.handles[1], input.inputProof]);
    const control = await publish('inputEbool', [input.handles[2], input.inputProof]);
    const sum = await publish('binary', [FheOp.Add, a, b, false]);
    const chosen = await publish('select', [control, a, sum]);
    // The executor's handle derivation, predicted off chain (what `debugger.createHandleCoder` uses).
    const { acl } = stack.chain.addresses;
    const chainId = BigInt(stack.chain.chainId);
    expect(binaryOpHandle(FheOp.Add, a, b, false, FheType.Uint8, acl, chainId)).toBe(sum);
    expect(binaryOpHandle(FheOp.Add, b, a, false, FheType.Uint8, acl, chainId)).not.toBe(sum);

    const sdk = await createInstance(stack.sdkConfig() as FhevmInstanceConfig);
    const decrypted = await sdk.publicDecrypt([a, control, sum, chosen]);
    expect(decrypted.clearValues).toEqual({ [a]: 200n, [control]: false, [sum]: 44n, [chosen]: 44n });

    const store = stack.coprocessor.store;
    expect((await store.getCiphertext(sum))?.computedInCleartext).toBe(true);
    expect((await store.getCiphertext(chosen))?.computedInCleartext).toBe(true);
    expect((await store.getCiphertext(a))?.computedInCleartext).toBe(false);
    const status = await stack.status();
    expect(status.modes).toEqual({ compute: 'cleartext', inputs: 'direct' });
    expect(status.coprocessor).toMatchObject({ cleartextHandles: 2, parityMismatches: 0 });
    expect(readStackRecord(stateDir)).toMatchObject({ compute: 'cleartext', inputs: 'direct' });
  });

  it("serves the Hardhat plugin's debugger on --network fhekit (clear values, KMS signatures)", async () => {
    const input = await client.directInput(ops.address, stack.chain.deployer.address, [
      { type: FheType.Uint8, value: 9n },
    ]);
    const a = await publish('inputEuint8', [input.handles[0], input.inputProof]);
    const doubled = await publish('binary', [FheOp.Add, a, a, false]);
    const backend = await connectToStackBackend({
      networkName: 'fhekit',
      rpcUrl: stack.chain.rpcUrl,
      provider: { request: (args) => stack.chain.publicClient.request(args as never) },
      logger: pino({ level: 'silent' }),
      stateDir,
    });
    // Bypasses the ACL (nobody was allowed on `doubled`): the local developer's debugger.
    expect(await backend.debugDecrypt(doubled)).toBe(18n);
    const [signature] = await backend.signDecryption([doubled], [18n]);
    expect(signature).toMatch(/^0x[0-9a-f]{130}$/);
    await expect(backend.debugDecrypt(`0x${'00'.repeat(31)}05`)).rejects.toMatchObject({
      code: 'FHE_HANDLE_MALFORMED',
    });
  });

  it('refuses a direct input without the stack’s API token', async () => {
    const response = await fetch(`${stack.relayer.url}/fhekit/direct-input`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${'0'.repeat(64)}` },
      body: JSON.stringify({
        values: [{ type: FheType.Uint8, value: '1' }],
        contractAddress: ops.address,
        userAddress: stack.chain.deployer.address,
        contractChainId: String(stack.chain.chainId),
      }),
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: 'RELAYER_UNAUTHORIZED' } });
    const tokenless = await connectToStack({ rpcUrl: stack.chain.rpcUrl, apiUrl: stack.relayer.url });
    await expect(
      tokenless.directInput(ops.address, stack.chain.deployer.address, [{ type: FheType.Bool, value: 1n }]),
    ).rejects.toMatchObject({ code: 'FHE_API_TOKEN_MISSING' });
  });
});
