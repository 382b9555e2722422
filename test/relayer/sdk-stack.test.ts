import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInstance, type FhevmInstance, type FhevmInstanceConfig } from '@zama-fhe/relayer-sdk/node';
import pino from 'pino';
import { type Hex, toHex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aclAbi, kmsVerifierAbi } from '../../src/chain/abis.js';
import { deployFixture } from '../../src/chain/fixtures.js';
import { connectToStack, signUserDecryptRequest } from '../../src/client/stack-client.js';
import { selectKernels } from '../../src/engine/kernels.js';
import { FheType } from '../../src/fhevm/fhe-types.js';
import { FheOp } from '../../src/fhevm/operations.js';
import { type Stack, startStack } from '../../src/stack/start-stack.js';
import { stateDirLayout } from '../../src/state-dir.js';
import { SOLC_CACHE_DIR } from '../chain/fixture-chain.js';
import { type HandleOps, publishHandle } from '../stack/publish-handle.js';
import { TEST_KEYS_DIR } from '../test-keys.js';

/**
 * The dApp developer's loop with the real `@zama-fhe/relayer-sdk` 0.4.3 pointed at a whole fhekit stack
 * (anvil + host contracts, coprocessor + engine, input verification, local KMS, relayer API):
 * SDK encrypt → `FHE.fromExternal` on-chain (our coprocessor signature) → an FHE add computed by the
 * coprocessor → SDK publicDecrypt (KMS proof checked by KMSVerifier) and SDK userDecrypt / delegatedUserDecrypt (signcrypted).
 */
describe('real relayer-sdk against a fhekit stack', () => {
  let stack: Stack;
  let ops: HandleOps;
  let instance: FhevmInstance;
  let stateDir: string;

  /** Sends a HandleOps transaction and returns the handle its `Published` event carries. */
  const publish = (functionName: 'inputEuint8' | 'inputEbool' | 'binary', args: readonly unknown[]) =>
    publishHandle(stack.chain, ops, functionName, args);

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'fhekit-sdk-stack-'));
    stack = await startStack({ stateDir, keysDir: TEST_KEYS_DIR, logger: pino({ level: 'silent' }) });
    ops = (await deployFixture(stack.chain, 'HandleOps', [], { cacheDir: SOLC_CACHE_DIR })) as HandleOps;
    instance = await createInstance(stack.sdkConfig() as FhevmInstanceConfig);
  });
  afterAll(async () => {
    await stack?.stop();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  it('encrypts, computes on-chain, and decrypts publicly (proof accepted by KMSVerifier), for the user and for a delegate', async () => {
    const user = stack.chain.deployer.address;
    let started = performance.now();
    const encrypted = await instance.createEncryptedInput(ops.address, user).add8(77).addBool(true).encrypt();
    const encryptMs = performance.now() - started;
    const proof = toHex(encrypted.inputProof);

    // InputVerifier accepts the SDK's handles + inputProof, i.e. recovers our coprocessor signer.
    const h8 = await publish('inputEuint8', [toHex(encrypted.handles[0]), proof]);
    const hBool = await publish('inputEbool', [toHex(encrypted.handles[1]), proof]);
    // An FHE computation on the input: the coprocessor's engine produces 77 + 5.
    const sum = await publish('binary', [FheOp.Add, h8, toHex(5n, { size: 32 }), true]);

    started = performance.now();
    const decrypted = await instance.publicDecrypt([h8, hBool, sum]);
    const publicDecryptMs = performance.now() - started;
    expect(decrypted.clearValues).toEqual({ [h8]: 77n, [hBool]: true, [sum]: 82n });

    // What FHE.checkSignatures does on-chain.
    const { result } = await stack.chain.publicClient.simulateContract({
      address: stack.chain.addresses.kmsVerifier,
      abi: kmsVerifierAbi,
      functionName: 'verifyDecryptionEIP712KMSSignatures',
      args: [[h8, hBool, sum], decrypted.abiEncodedClearValues as Hex, decrypted.decryptionProof as Hex],
    });
    expect(result).toBe(true);

    // The synchronous v1 protocol serves the same.
    const v1 = await createInstance({
      ...(stack.sdkConfig() as FhevmInstanceConfig),
      relayerUrl: stack.relayer.urlV1,
      relayerRouteVersion: 1,
    });
    expect((await v1.publicDecrypt([sum])).clearValues[sum]).toBe(82n);

    // User decryption with the SDK's ML-KEM keypair: authorised by the user's EIP-712 signature and
    // the ACL, answered with a share signcrypted by our KMS signer.
    const { publicKey, privateKey } = instance.generateKeypair();
    const startTimestamp = Math.floor(Date.now() / 1000);
    const eip712 = instance.createEIP712(publicKey, [ops.address], startTimestamp, 1);
    const signature = await signUserDecryptRequest(stack.chain.deployer, eip712);
    started = performance.now();
    const forUser = await instance.userDecrypt(
      [{ handle: sum, contractAddress: ops.address }],
      privateKey,
      publicKey,
      signature,
      [ops.address],
      user,
      startTimestamp,
      1,
    );
    const userDecryptMs = performance.now() - started;
    expect(forUser[sum]).toBe(82n);
    console.log(
      `SDK encrypt ${encryptMs.toFixed(0)} ms (proof + verify + expand), publicDecrypt ${publicDecryptMs.toFixed(0)} ms (incl. the add), userDecrypt ${userDecryptMs.toFixed(0)} ms`,
    );

    // Delegated user decryption: once the user delegates on the ACL, the delegate decrypts with its own signature.
    const delegate = privateKeyToAccount(generatePrivateKey());
    const now = (await stack.chain.publicClient.getBlock()).timestamp;
    const delegation = await stack.chain.walletClient.writeContract({
      address: stack.chain.addresses.acl,
      abi: aclAbi,
      functionName: 'delegateForUserDecryption',
      args: [delegate.address, ops.address, now + 7200n],
    });
    await stack.chain.publicClient.waitForTransactionReceipt({ hash: delegation });
    const delegatedKeys = instance.generateKeypair();
    const delegated712 = instance.createDelegatedUserDecryptEIP712(
      delegatedKeys.publicKey,
      [ops.address],
      user,
      startTimestamp,
      1,
    );
    const delegateSignature = await delegate.signTypedData({
      domain: { ...delegated712.domain, chainId: BigInt(delegated712.domain.chainId) },
      types: {
        DelegatedUserDecryptRequestVerification: delegated712.types.DelegatedUserDecryptRequestVerification,
      },
      primaryType: 'DelegatedUserDecryptRequestVerification',
      message: {
        ...delegated712.message,
        startTimestamp: BigInt(delegated712.message.startTimestamp),
        durationDays: BigInt(delegated712.message.durationDays),
      } as never,
    });
    const forDelegate = await instance.delegatedUserDecrypt(
      [{ handle: sum, contractAddress: ops.address }],
      delegatedKeys.privateKey,
      delegatedKeys.publicKey,
      delegateSignature,
      [ops.address],
      user,
      delegate.address,
      startTimestamp,
      1,
    );
    expect(forDelegate[sum]).toBe(82n);

    // Someone the ACL does not allow is refused, even with a valid signature of their own (and the
    // stack's token, which the clear-text route needs on top).
    const stranger = privateKeyToAccount(generatePrivateKey());
    const strangerSignature = await signUserDecryptRequest(stranger, eip712);
    const apiToken = readFileSync(stateDirLayout(stateDir).apiToken, 'utf8').trim();
    const refused = await fetch(`${stack.relayer.url}/fhekit/user-decrypt`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${apiToken}` },
      body: JSON.stringify({
        handleContractPairs: [{ handle: sum, contractAddress: ops.address }],
        requestValidity: { startTimestamp: String(startTimestamp), durationDays: '1' },
        contractsChainId: String(stack.chain.chainId),
        contractAddresses: [ops.address],
        userAddress: stranger.address,
        signature: strangerSignature.slice(2),
        publicKey,
        extraData: '0x00',
      }),
    });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({
      error: { label: 'not_allowed_on_host_acl', code: 'KMS_NOT_ALLOWED' },
    });
  });

  it('refuses direct inputs, even with the API token, on a stack started without --inputs direct', async () => {
    const client = await connectToStack({
      rpcUrl: stack.chain.rpcUrl,
      apiUrl: stack.relayer.url,
      apiToken: readFileSync(stateDirLayout(stateDir).apiToken, 'utf8').trim(),
    });
    await expect(
      client.directInput(ops.address, stack.chain.deployer.address, [{ type: FheType.Uint8, value: 1n }]),
    ).rejects.toMatchObject({ code: 'INPUT_DIRECT_DISABLED' });
    expect((await stack.status()).modes).toEqual({ compute: 'real', inputs: 'proven' });
    expect((await stack.status()).kernel).toBe(selectKernels().label);
  });
});
