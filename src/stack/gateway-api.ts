import type { TfheClientKey } from 'node-tfhe';
import type { Logger } from 'pino';
import type { Address, PublicClient } from 'viem';
import type { GatewayConfig } from '../chain/host-contracts.js';
import type { StackSigners } from '../chain/signers.js';
import type { CoprocessorStore } from '../coprocessor/store.js';
import { decodeClientKey } from '../engine/codec/client-key-codec.js';
import { encryptToStoredBytes } from '../engine/secret-key-encryption.js';
import { createInputService, type InputService, type InputStore } from '../inputs/input-service.js';
import { startInputWorker } from '../inputs/input-worker.js';
import type { Keyset } from '../keys/load-keyset.js';
import { createOnChainAclReader } from '../kms/acl-reader.js';
import { createLocalKms, type LocalKms } from '../kms/local-kms.js';
import { type RelayerHandle, type RelayerOptions, startRelayer } from '../relayer/server.js';
import type { Service } from '../runtime/service.js';
import type { InputMode } from './stack-defaults.js';

/** What the gateway side (input verification, the local KMS, the relayer HTTP API) needs to run. */
export interface GatewayApiConfig {
  keyset: Keyset;
  clientKey: TfheClientKey;
  hostChainId: bigint;
  aclAddress: Address;
  gateway: GatewayConfig;
  signers: StackSigners;
  /** Reads the ACL on chain for every decryption. */
  publicClient: PublicClient;
  /** Where verified inputs go: the store, or the in-process coprocessor (which also wakes its scheduler). */
  inputSink: InputStore;
  store: CoprocessorStore;
  inputs: InputMode;
  /** Decodes the GLWE secret key once for whoever needs it (direct inputs here, cleartext compute elsewhere). */
  glweKey: () => Uint8Array;
  decryptTimeoutMs?: number;
  apiPort?: number;
  apiHost?: string;
  /** The `/fhekit/` routes' secret; without one they refuse every request (the Hardhat plugin needs none). */
  apiToken?: string;
  /** Clock in seconds for user-decrypt validity (default: wall clock; the Hardhat plugin: chain time). */
  now?: () => Promise<bigint>;
  /** Idle keep-alive of the API's sockets (a client in the same process may block the loop for minutes). */
  keepAliveTimeoutMs?: number;
  /** Data behind the `/ui` page (the stack that runs the coprocessor in the same process has it). */
  webUi?: RelayerOptions['webUi'];
  logger: Logger;
}

export interface GatewayApi {
  /** In start order; stop them in reverse. */
  services: [inputWorker: Service, relayer: RelayerHandle];
  relayer: RelayerHandle;
  /** For callers in the same process (the Hardhat plugin's direct inputs and debugger). */
  inputs: InputService;
  kms: LocalKms;
}

/** The GLWE secret key of a keyset's client key, decoded on first use (cleartext and direct modes use it). */
export function lazyGlweKey(keyset: Keyset): () => Uint8Array {
  let glwe: Uint8Array | undefined;
  return () => (glwe ??= decodeClientKey(keyset.read('clientKey')).glweKey);
}

/**
 * Input verification, the local KMS and the relayer HTTP API over one coprocessor store: the part of
 * the stack `fhe dev up` runs beside its coprocessor and `fhe coprocessor api` runs on its own.
 */
export async function startGatewayApi(config: GatewayApiConfig): Promise<GatewayApi> {
  const publicKey = config.keyset.read('publicKey');
  const crs = config.keyset.read('crs');
  const gatewayChainId = BigInt(config.gateway.chainId);
  // Proof checks and expansion block for seconds in wasm: a worker keeps the API and listener responsive.
  const inputWorker = startInputWorker({
    publicKey,
    crs,
    expansion: { evaluationKeys: config.keyset.read('evaluationKeys') },
  });
  try {
    const inputs = createInputService({
      hostChainId: config.hostChainId,
      aclAddress: config.aclAddress,
      domain: { gatewayChainId, inputVerificationAddress: config.gateway.inputVerification },
      signers: [config.signers.coprocessor],
      verifier: inputWorker.verifier,
      expander: inputWorker.expander,
      store: config.inputSink,
      ...(config.inputs === 'direct'
        ? { encryptDirect: (type, value) => encryptToStoredBytes(value, type, config.glweKey()) }
        : {}),
    });
    const kms = createLocalKms({
      hostChainId: config.hostChainId,
      domain: { gatewayChainId, decryptionAddress: config.gateway.decryption },
      signers: [config.signers.kms],
      clientKey: config.clientKey,
      acl: createOnChainAclReader(config.publicClient, config.aclAddress),
      ciphertexts: config.store,
      aclHistory: config.store,
      ...(config.decryptTimeoutMs === undefined ? {} : { waitTimeoutMs: config.decryptTimeoutMs }),
      ...(config.now === undefined ? {} : { now: config.now }),
    });
    const relayer = await startRelayer({
      ...(config.apiPort === undefined ? {} : { port: config.apiPort }),
      ...(config.apiHost === undefined ? {} : { host: config.apiHost }),
      inputs,
      kms,
      keys: { publicKey, crs },
      ...(config.apiToken === undefined ? {} : { apiToken: config.apiToken }),
      ...(config.keepAliveTimeoutMs === undefined ? {} : { keepAliveTimeoutMs: config.keepAliveTimeoutMs }),
      ...(config.webUi === undefined ? {} : { webUi: config.webUi }),
      logger: config.logger.child({ component: 'relayer' }),
    });
    return { services: [inputWorker, relayer], relayer, inputs, kms };
  } catch (error) {
    await inputWorker.stop();
    throw error;
  }
}
