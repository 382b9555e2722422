import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TfheClientKey } from 'node-tfhe';
import type { Logger } from 'pino';
import {
  createPublicClient,
  createTestClient,
  createWalletClient,
  custom,
  defineChain,
  type Hex,
  parseEther,
} from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { DEFAULT_GATEWAY, HOST_ADDRESSES, installHostContracts } from '../chain/host-contracts.js';
import { loadOrCreateSigners } from '../chain/signers.js';
import type { ComputeMode, ResultPolicy } from '../coprocessor/compute-mode.js';
import { startCoprocessor } from '../coprocessor/coprocessor.js';
import { openSqliteStore } from '../coprocessor/sqlite-store.js';
import { createCleartextEvaluator } from '../engine/cleartext-evaluator.js';
import { decodeClientKey } from '../engine/codec/client-key-codec.js';
import type { FheEvaluator } from '../engine/evaluator.js';
import { createPooledEvaluator } from '../engine/pool/pooled-evaluator.js';
import { SERIALIZATION_LIMIT } from '../fhevm/limits.js';
import { ensureKeyset, type KeygenProgress } from '../keys/ensure-keyset.js';
import { loadKeyset } from '../keys/load-keyset.js';
import { startGatewayApi } from '../stack/gateway-api.js';
import { stateDirLayout } from '../state-dir.js';
import type { FhevmBackend } from './backend.js';
import { waitForStoredHandles } from './handle-waiter.js';
import { reportFromMetrics } from './run-report.js';

/** An EIP-1193 provider, e.g. `hre.network.provider` of Hardhat's in-process network. */
export interface Eip1193Provider {
  request(args: { method: string; params?: readonly unknown[] | object }): Promise<unknown>;
}

export interface InProcessBackendOptions {
  provider: Eip1193Provider;
  chainId: number;
  keysDir: string;
  /** Engine worker threads (default: all cores). */
  threads?: number;
  /** How long a decryption waits for its handles (listener lag plus FHE time). */
  waitTimeoutMs?: number;
  logger: Logger;
  onKeygenProgress?: (progress: KeygenProgress) => void;
  /**
   * `direct` (default, like the mock it replaces, which makes no proofs): `createEncryptedInput` hands
   * plaintexts to the in-process input service, which encrypts and signs them. `proven`: SDK proofs.
   */
  inputs?: 'direct' | 'proven';
  /** `real` (default): the TFHE engine; `cleartext`: plaintext semantics, fresh encryptions; `parity`: both, checked. */
  compute?: ComputeMode;
}

/** Parity mismatches the end-of-run report lists (it counts them all). */
const PARITY_LISTED = 20;

/**
 * The whole fhEVM backend on an in-process chain (Hardhat's `hardhat` network), talking to it only
 * through its EIP-1193 provider: the real host contracts put at their canonical addresses
 * (`hardhat_setCode`) with fresh signer keys, the coprocessor following the chain on a SQLite store in
 * a temporary directory, input verification, the local KMS (validity checked against chain time) and
 * the relayer HTTP API on a free loopback port. Stopping removes the temporary directory.
 */
export async function startInProcessBackend(options: InProcessBackendOptions): Promise<FhevmBackend> {
  const { logger } = options;
  const workDir = mkdtempSync(join(tmpdir(), 'fhekit-hardhat-'));
  const stops: (() => Promise<void>)[] = [async () => rmSync(workDir, { recursive: true, force: true })];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  };
  try {
    await ensureKeyset({ dir: options.keysDir, onProgress: options.onKeygenProgress });
    const keyset = loadKeyset(options.keysDir);
    const clientKey = TfheClientKey.safe_deserialize(keyset.read('clientKey'), SERIALIZATION_LIMIT);
    const evaluationKeys = keyset.read('evaluationKeys');

    const transport = custom(options.provider);
    const chain = defineChain({
      id: options.chainId,
      name: 'hardhat (in-process)',
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [] } },
    });
    const publicClient = createPublicClient({ chain, transport, pollingInterval: 50 });
    const testClient = createTestClient({ chain, transport, mode: 'hardhat' });
    // A throwaway admin (ACL owner), so the project's own accounts keep their nonces and balances.
    const admin = privateKeyToAccount(generatePrivateKey());
    await testClient.setBalance({ address: admin.address, value: parseEther('10') });
    const walletClient = createWalletClient({ chain, transport, account: admin, pollingInterval: 50 });
    const paths = stateDirLayout(workDir);
    mkdirSync(paths.chain.dir, { recursive: true });
    const signers = loadOrCreateSigners(paths.chain.signers);
    const gateway = DEFAULT_GATEWAY;
    await installHostContracts({ publicClient, walletClient, testClient, signers, gateway });

    const compute = options.compute ?? 'real';
    const { glweKey } = decodeClientKey(keyset.read('clientKey'));
    let evaluator: FheEvaluator & { threads?: number };
    let results: ResultPolicy = { mode: 'real' };
    if (compute === 'cleartext') {
      evaluator = createCleartextEvaluator({ glweKey });
      results = { mode: 'cleartext' };
    } else {
      const pooled = await createPooledEvaluator({
        evaluationKeys,
        ...(options.threads === undefined ? {} : { threads: options.threads }),
      });
      evaluator = pooled;
      if (compute === 'parity') results = { mode: 'parity', oracle: createCleartextEvaluator({ glweKey }) };
    }
    stops.push(() => evaluator.stop());
    // Suites revert to snapshots all the time (loadFixture); the same transaction replayed after a
    // revert yields the same handles, whose results are then reused instead of recomputed.
    const store = openSqliteStore(paths.coprocessorDb, { keepRolledBackCiphertexts: true });
    stops.push(() => store.close());
    const coprocessor = await startCoprocessor({
      store,
      transport,
      addresses: { acl: HOST_ADDRESSES.acl, executor: HOST_ADDRESSES.executor },
      evaluator,
      results,
      logger: logger.child({ component: 'coprocessor' }),
      ...(evaluator.threads === undefined ? {} : { concurrency: evaluator.threads }),
      pollIntervalMs: 50,
    });
    stops.push(() => coprocessor.stop());

    const waitTimeoutMs = options.waitTimeoutMs ?? 300_000;
    const api = await startGatewayApi({
      keyset,
      clientKey,
      hostChainId: BigInt(options.chainId),
      aclAddress: HOST_ADDRESSES.acl,
      gateway,
      signers,
      publicClient,
      inputSink: coprocessor,
      store: coprocessor.store,
      inputs: options.inputs === 'proven' ? 'proven' : 'direct',
      glweKey: () => glweKey,
      decryptTimeoutMs: waitTimeoutMs,
      apiHost: '127.0.0.1',
      apiPort: 0,
      // Tests move time with evm_increaseTime: validity windows follow the chain, not the wall clock.
      now: async () => (await publicClient.getBlock({ blockTag: 'latest' })).timestamp,
      // The SDK shares this thread and blocks it for minutes while proving inputs on a busy machine; a
      // socket the server drops meanwhile would fail the SDK's next request (ECONNRESET).
      keepAliveTimeoutMs: 60 * 60_000,
      logger,
    });
    for (const service of api.services) stops.push(() => service.stop());
    const { relayer, inputs, kms } = api;

    const waitForHandles = (handles: readonly Hex[]) =>
      waitForStoredHandles({ publicClient, store: coprocessor.store, handles, timeoutMs: waitTimeoutMs });

    return {
      sdkConfig: {
        aclContractAddress: HOST_ADDRESSES.acl,
        kmsContractAddress: HOST_ADDRESSES.kmsVerifier,
        inputVerifierContractAddress: HOST_ADDRESSES.inputVerifier,
        verifyingContractAddressDecryption: gateway.decryption,
        verifyingContractAddressInputVerification: gateway.inputVerification,
        chainId: options.chainId,
        gatewayChainId: gateway.chainId,
        relayerUrl: relayer.url,
      },
      addresses: {
        acl: HOST_ADDRESSES.acl,
        executor: HOST_ADDRESSES.executor,
        kmsVerifier: HOST_ADDRESSES.kmsVerifier,
      },
      waitForHandles,
      ...(options.inputs === 'proven'
        ? {}
        : { acceptDirectInput: (request) => inputs.acceptDirectInput(request) }),
      async debugDecrypt(handle) {
        await waitForHandles([handle]);
        const [value] = await kms.debugDecrypt([handle]);
        return value!;
      },
      signDecryption: (handles, values) => kms.signDecryption(handles, values),
      report: async () => ({
        ...(await reportFromMetrics(coprocessor.metrics, coprocessor.store)),
        compute,
        ...(compute === 'parity'
          ? {
              parity: {
                mismatches: (await coprocessor.store.counts()).parityMismatches,
                latest: await coprocessor.store.parityMismatches(PARITY_LISTED),
              },
            }
          : {}),
      }),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
