import { createInstance, type FhevmInstanceConfig } from '@zama-fhe/relayer-sdk/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChainHandle, startChain } from '../../src/chain/start-chain.js';
import { loadKeyset } from '../../src/keys/load-keyset.js';
import { TEST_KEYS_DIR } from '../test-keys.js';

let chain: ChainHandle;
let config: FhevmInstanceConfig;

beforeAll(async () => {
  chain = await startChain();
  const keyset = loadKeyset(TEST_KEYS_DIR);
  config = {
    ...chain.sdkConfig(),
    relayerUrl: 'http://127.0.0.1:9', // not contacted: keys are passed in, nothing is encrypted or decrypted
    publicKey: { data: keyset.read('publicKey'), id: 'test-public-key' },
    publicParams: { 2048: { publicParams: keyset.read('crs'), publicParamsId: 'test-crs' } },
  };
});

afterAll(async () => {
  await chain?.stop();
});

describe('@zama-fhe/relayer-sdk against the local chain', () => {
  it('createInstance with chain.sdkConfig() accepts the on-chain InputVerifier/KMSVerifier domains and signers', async () => {
    const instance = await createInstance(config);
    expect(instance.getPublicKey()?.publicKeyId).toBe('test-public-key');
  });

  it('createInstance refuses a gateway chain id that differs from the one on chain', async () => {
    await expect(createInstance({ ...config, gatewayChainId: chain.gateway.chainId + 1 })).rejects.toThrow(
      /gatewayChainId/,
    );
  });
});
