import { TfheClientKey } from 'node-tfhe';
import type { Logger } from 'pino';
import { type Address, createPublicClient, http } from 'viem';
import { readGatewayDomains } from '../chain/gateway-domains.js';
import { readSigners } from '../chain/signers.js';
import { openPostgresStore } from '../coprocessor/postgres-store.js';
import { FhekitError } from '../errors.js';
import { SERIALIZATION_LIMIT } from '../fhevm/limits.js';
import { loadKeyset } from '../keys/load-keyset.js';
import { keysetId } from '../keys/manifest.js';
import type { Service } from '../runtime/service.js';
import { ensureApiToken } from './api-token.js';
import { lazyGlweKey, startGatewayApi } from './gateway-api.js';
import type { InputMode } from './stack-defaults.js';

export interface ApiServiceConfig {
  databaseUrl: string;
  poolMaxConnections?: number;
  rpcUrl: string;
  aclAddress: Address;
  keysDir: string;
  /** The stack's signers file (`chain/signers.json` of the state dir that installed the host contracts). */
  signersFile: string;
  /** Where the API token lives (created owner-only when missing). */
  apiTokenFile: string;
  apiPort?: number;
  apiHost?: string;
  inputs?: InputMode;
  decryptTimeoutMs?: number;
  logger: Logger;
}

export interface RunningApiService extends Service {
  /** relayerUrl for the SDK. */
  url: string;
}

/**
 * `fhe coprocessor api`: input verification, the local KMS and the relayer HTTP API over a shared
 * PostgreSQL database, for a listener and workers running elsewhere. Verified inputs go to the
 * database (workers are notified); decryptions read the ciphertexts the workers stored there.
 */
export async function startApiService(config: ApiServiceConfig): Promise<RunningApiService> {
  const keyset = loadKeyset(config.keysDir);
  const signers = readSigners(config.signersFile);
  const publicClient = createPublicClient({ transport: http(config.rpcUrl) });
  const [chainId, gateway] = await Promise.all([
    publicClient.getChainId(),
    readGatewayDomains(publicClient),
  ]).catch((cause: unknown) => {
    throw new FhekitError(
      'FHE_CHAIN_UNREACHABLE',
      `Cannot read the host contracts through ${config.rpcUrl}: ${(cause as Error).message}`,
      {
        hint: 'Pass --rpc-url of the running host chain with the fhEVM host contracts installed (e.g. the one `fhe dev up` prints).',
        cause,
      },
    );
  });
  const store = await openPostgresStore(config.databaseUrl, { maxConnections: config.poolMaxConnections });
  try {
    await store.bindKeyset(keysetId(keyset.manifest));
    const api = await startGatewayApi({
      keyset,
      clientKey: TfheClientKey.safe_deserialize(keyset.read('clientKey'), SERIALIZATION_LIMIT),
      hostChainId: BigInt(chainId),
      aclAddress: config.aclAddress,
      gateway: {
        chainId: gateway.gatewayChainId,
        inputVerification: gateway.inputVerification,
        decryption: gateway.decryption,
      },
      signers,
      publicClient,
      inputSink: store,
      store,
      inputs: config.inputs ?? 'proven',
      glweKey: lazyGlweKey(keyset),
      ...(config.decryptTimeoutMs === undefined ? {} : { decryptTimeoutMs: config.decryptTimeoutMs }),
      ...(config.apiPort === undefined ? {} : { apiPort: config.apiPort }),
      ...(config.apiHost === undefined ? {} : { apiHost: config.apiHost }),
      apiToken: ensureApiToken(config.apiTokenFile),
      logger: config.logger,
    });
    config.logger.info({ url: api.relayer.url, chainId }, 'api started');
    let stopping: Promise<void> | undefined;
    return {
      name: 'api',
      url: api.relayer.url,
      exited: Promise.race(api.services.map((s) => s.exited)),
      stop() {
        stopping ??= (async () => {
          for (const service of [...api.services].reverse()) await service.stop();
          await store.close();
        })();
        return stopping;
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
