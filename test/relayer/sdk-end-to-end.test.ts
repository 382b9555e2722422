import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInstance, type FhevmInstance } from '@zama-fhe/relayer-sdk/node';
import { type Abi, getAddress, type Hex, toHex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kmsVerifierAbi } from '../../src/chain/abis.js';
import type { DeployedContract } from '../../src/chain/deploy.js';
import { type ChainHandle, startChain } from '../../src/chain/start-chain.js';
import { openSqliteStore, type SqliteCoprocessorStore } from '../../src/coprocessor/sqlite-store.js';
import { createInputService } from '../../src/inputs/input-service.js';
import { type InputWorker, startInputWorker } from '../../src/inputs/input-worker.js';
import { createOnChainAclReader } from '../../src/kms/acl-reader.js';
import { createLocalKms } from '../../src/kms/local-kms.js';
import { type RelayerHandle, startRelayer } from '../../src/relayer/server.js';
import { deployFixture, transact } from '../chain/fixture-chain.js';
import { loadTestKeys } from '../inputs/helpers/test-keys.js';

/**
 * The dApp developer's loop with the real `@zama-fhe/relayer-sdk` 0.4.3 pointed at fhekit: encrypt with
 * the SDK, send the handle + inputProof to a contract on anvil with the real host contracts
 * (`FHE.fromExternal` checks our coprocessor signature), then `publicDecrypt` and check the KMS proof
 * on-chain. Input handles need no FHE computation, so the coprocessor's engine is not involved.
 */
describe('real relayer-sdk against the fhekit relayer, KMS and chain', () => {
  const keys = loadTestKeys();
  let chain: ChainHandle;
  let ops: DeployedContract<Abi>;
  let store: SqliteCoprocessorStore;
  let relayer: RelayerHandle;
  let inputWorker: InputWorker;
  let instance: FhevmInstance;
  let dir: string;

  const sdkConfig = () => ({
    aclContractAddress: chain.addresses.acl,
    kmsContractAddress: chain.addresses.kmsVerifier,
    inputVerifierContractAddress: chain.addresses.inputVerifier,
    verifyingContractAddressDecryption: chain.gateway.decryption,
    verifyingContractAddressInputVerification: chain.gateway.inputVerification,
    chainId: chain.chainId,
    gatewayChainId: chain.gateway.chainId,
    network: chain.rpcUrl,
    relayerUrl: relayer.url,
  });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fhekit-relayer-'));
    chain = await startChain();
    ops = (await deployFixture(chain, 'HandleOps')) as never;
    store = openSqliteStore(join(dir, 'coprocessor.db'));
    const hostChainId = BigInt(chain.chainId);
    const gatewayChainId = BigInt(chain.gateway.chainId);
    inputWorker = startInputWorker({
      clientKey: keys.clientKeyBytes,
      publicKey: keys.publicKeyBytes,
      crs: keys.crsBytes,
    });
    relayer = await startRelayer({
      keys: { publicKey: keys.publicKeyBytes, crs: keys.crsBytes },
      inputs: createInputService({
        hostChainId,
        aclAddress: chain.addresses.acl,
        domain: { gatewayChainId, inputVerificationAddress: chain.gateway.inputVerification },
        signers: [chain.signers.coprocessor],
        verifier: inputWorker.verifier,
        expander: inputWorker.expander,
        store,
      }),
      kms: createLocalKms({
        hostChainId,
        domain: { gatewayChainId, decryptionAddress: chain.gateway.decryption },
        signers: [chain.signers.kms],
        clientKey: keys.clientKey,
        acl: createOnChainAclReader(chain.publicClient, chain.addresses.acl),
        ciphertexts: store,
        waitTimeoutMs: 5_000,
      }),
    });
    instance = await createInstance(sdkConfig());
  });
  afterAll(async () => {
    await relayer?.stop();
    await inputWorker?.stop();
    await store?.close();
    await chain?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('encrypts with the SDK, passes FHE.fromExternal on-chain, public-decrypts with a proof KMSVerifier accepts, and user-decrypts', async () => {
    const user = chain.deployer.address;
    const started = performance.now();
    const encrypted = await instance.createEncryptedInput(ops.address, user).add8(77).addBool(true).encrypt();
    const encryptMs = performance.now() - started;
    const [h8, hBool] = encrypted.handles.map((h) => toHex(h));
    const proof = toHex(encrypted.inputProof);

    // The contract takes the SDK's handles + inputProof: InputVerifier recovers our coprocessor signer.
    await transact(chain, ops, 'inputEuint8', [h8, proof]);
    await transact(chain, ops, 'inputEbool', [hBool, proof]);

    const decryptStarted = performance.now();
    const decrypted = await instance.publicDecrypt([h8, hBool]);
    const decryptMs = performance.now() - decryptStarted;
    expect(decrypted.clearValues[h8]).toBe(77n);
    expect(decrypted.clearValues[hBool]).toBe(true);
    console.log(
      `SDK encrypt (proof + relayer round trip) ${encryptMs.toFixed(0)} ms, publicDecrypt ${decryptMs.toFixed(0)} ms`,
    );

    // What FHE.checkSignatures does on-chain.
    const { result } = await chain.publicClient.simulateContract({
      address: chain.addresses.kmsVerifier,
      abi: kmsVerifierAbi,
      functionName: 'verifyDecryptionEIP712KMSSignatures',
      args: [[h8, hBool], decrypted.abiEncodedClearValues as Hex, decrypted.decryptionProof as Hex],
    });
    expect(result).toBe(true);

    // The v1 (synchronous) protocol serves the same decryption.
    const v1 = await createInstance({ ...sdkConfig(), relayerUrl: relayer.urlV1, relayerRouteVersion: 1 });
    expect((await v1.publicDecrypt([h8])).clearValues[h8]).toBe(77n);

    // User decryption: authorised by the user's EIP-712 signature and the on-chain ACL.
    const { publicKey, privateKey } = instance.generateKeypair();
    const startTimestamp = Math.floor(Date.now() / 1000);
    const eip712 = instance.createEIP712(publicKey, [ops.address], startTimestamp, 1);
    const signature = await chain.deployer.signTypedData({
      domain: { ...eip712.domain, chainId: BigInt(eip712.domain.chainId) },
      types: { UserDecryptRequestVerification: eip712.types.UserDecryptRequestVerification },
      primaryType: 'UserDecryptRequestVerification',
      message: {
        ...eip712.message,
        contractAddresses: eip712.message.contractAddresses.map((a) => getAddress(a)),
        startTimestamp: BigInt(eip712.message.startTimestamp),
        durationDays: BigInt(eip712.message.durationDays),
      } as never,
    });
    const body = {
      handleContractPairs: [{ handle: h8, contractAddress: ops.address }],
      requestValidity: { startTimestamp: String(startTimestamp), durationDays: '1' },
      contractsChainId: String(chain.chainId),
      contractAddresses: [ops.address],
      userAddress: user,
      signature: signature.slice(2),
      publicKey,
      extraData: '0x00',
    };
    const response = await fetch(`${relayer.url}/fhekit/user-decrypt`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'succeeded',
      result: { plaintexts: [{ handle: h8, value: '77' }] },
    });

    // Someone else signing for the same handle is refused by the ACL.
    const stranger = await fetch(`${relayer.url}/fhekit/user-decrypt`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...body, userAddress: ops.address }),
    });
    expect(stranger.status).toBe(400);

    // The SDK's own userDecrypt: our KMS signcrypts the plaintext to the keypair the user signed for.
    const userDecryptStarted = performance.now();
    const decryptedForUser = await instance.userDecrypt(
      [{ handle: h8, contractAddress: ops.address }],
      privateKey,
      publicKey,
      signature,
      [ops.address],
      user,
      startTimestamp,
      1,
    );
    console.log(`SDK userDecrypt ${(performance.now() - userDecryptStarted).toFixed(0)} ms`);
    expect(decryptedForUser[h8]).toBe(77n);
  });
});
