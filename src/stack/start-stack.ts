import { mkdirSync } from 'node:fs';
import { TfheClientKey } from 'node-tfhe';
import type { Logger } from 'pino';
import { type ChainHandle, type SdkChainConfig, startChain } from '../chain/start-chain.js';
import type { ComputeMode, ResultPolicy } from '../coprocessor/compute-mode.js';
import { type Coprocessor, type CoprocessorStatus, startCoprocessor } from '../coprocessor/coprocessor.js';
import { type MetricsServer, startMetricsServer } from '../coprocessor/metrics.js';
import { openPostgresStore } from '../coprocessor/postgres-store.js';
import type { CoprocessorStore } from '../coprocessor/store.js';
import { createCleartextEvaluator } from '../engine/cleartext-evaluator.js';
import type { FheEvaluator } from '../engine/evaluator.js';
import { createPooledEvaluator } from '../engine/pool/pooled-evaluator.js';
import { FhekitError } from '../errors.js';
import { SERIALIZATION_LIMIT } from '../fhevm/limits.js';
import { ensureKeyset, type KeygenProgress } from '../keys/ensure-keyset.js';
import { loadKeyset } from '../keys/load-keyset.js';
import { keysetId } from '../keys/manifest.js';
import type { RelayerHandle } from '../relayer/server.js';
import type { Service } from '../runtime/service.js';
import { stateDirLayout } from '../state-dir.js';
import { readTraceOverview, type TraceOverview } from '../trace/overview.js';
import { buildTransactionTrace } from '../trace/transaction-trace.js';
import { ensureApiToken } from './api-token.js';
import { lazyGlweKey, startGatewayApi } from './gateway-api.js';
import { DEFAULT_ACCOUNTS, DEFAULT_IDLE_BLOCK_SECONDS, type InputMode } from './stack-defaults.js';
import { removeStackRecord, writeStackRecord } from './stack-record.js';
import { bindStateToKeyset } from './state-keyset.js';

/** How long the listener may go without a new block, while catching up at start, before the start fails. */
const LISTENER_STALL_MS = 15_000;

export interface StackConfig {
  /** Chain state, signer keys, the coprocessor database and logs. */
  stateDir: string;
  keysDir: string;
  /** anvil JSON-RPC port (0: any free port). */
  rpcPort?: number;
  /** Relayer HTTP API port (0: any free port). */
  apiPort?: number;
  /** Prometheus /metrics port (0: any free port). */
  metricsPort?: number;
  /** Engine worker threads, and computations run at once (default: number of cores). */
  threads?: number;
  /** Seconds between blocks; omitted = a block per transaction. */
  blockTimeSeconds?: number;
  /** How long a decryption waits for a handle still queued in the coprocessor (default 10 min). */
  decryptTimeoutMs?: number;
  /** With a block per transaction, also an empty block every this many seconds (default 1; 0: off). */
  idleBlockSeconds?: number;
  /** Dev accounts of the standard mnemonic funded at genesis (default 200). */
  accounts?: number;
  /** How computations run (default `real`: the TFHE engine); see `ComputeMode`. */
  compute?: ComputeMode;
  /** `direct` also accepts plaintext inputs from holders of the API token (default `proven` only). */
  inputs?: InputMode;
  /**
   * PostgreSQL URL of the coprocessor database (the listener, the worker and the API of this process on
   * it; more workers can join from other processes). Omitted: the embedded SQLite file in the state dir.
   */
  databaseUrl?: string;
  /** Made by the command (level, destination); the parts log to children of it. */
  logger: Logger;
}

export type StackProgress =
  | { phase: 'keys'; progress: KeygenProgress }
  | { phase: 'chain' | 'coprocessor' | 'api'; event: 'start' | 'done' };

export interface StackModes {
  compute: ComputeMode;
  inputs: InputMode;
}

export interface StackStatus {
  modes: StackModes;
  /** The engine kernels (`native-avx512f`, `wasm-simd128`, …); absent in cleartext mode (no engine). */
  kernel?: string;
  rpcUrl: string;
  apiUrl: string;
  metricsUrl: string;
  chainId: number;
  addresses: ChainHandle['addresses'];
  gateway: ChainHandle['gateway'];
  coprocessor: CoprocessorStatus;
  /** Recent transactions with FHE work and recent failed computations. */
  transactions: TraceOverview;
}

export interface Stack {
  chain: ChainHandle;
  coprocessor: Coprocessor;
  relayer: RelayerHandle;
  /** SDK `createInstance` config for this stack (add `network` if you use an EIP-1193 provider). */
  sdkConfig(): SdkChainConfig & { relayerUrl: string };
  status(): Promise<StackStatus>;
  /**
   * Settles if a part dies on its own: the other parts are then stopped in reverse order and the
   * promise gives FHE_STACK_PART_DIED naming the part and the cause. Stays pending after `stop()`.
   */
  exited: Promise<FhekitError>;
  stop(): Promise<void>;
}

/**
 * The whole local fhEVM backend as one object: keys, anvil with the host contracts, the coprocessor on
 * SQLite (or PostgreSQL with `databaseUrl`), input verification, the local KMS, and the relayer HTTP API. `fhe dev up`, `fhe smoke-test`
 * and tests start it the same way. Parts are stopped in reverse order, also when a later part fails.
 */
export async function startStack(
  config: StackConfig,
  onProgress?: (p: StackProgress) => void,
): Promise<Stack> {
  const paths = stateDirLayout(config.stateDir);
  const stateDir = paths.root;
  mkdirSync(stateDir, { recursive: true });
  const { logger } = config;
  const stops: (() => Promise<void>)[] = [];
  const services: Service[] = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  };
  const started = (service: Service) => {
    services.push(service);
    stops.push(() => service.stop());
  };

  try {
    const ensured = await ensureKeyset({
      dir: config.keysDir,
      onProgress: (progress) => onProgress?.({ phase: 'keys', progress }),
    });
    if (ensured.tightenedPermissions.length > 0)
      logger.warn(
        { paths: ensured.tightenedPermissions },
        'keyset files were readable by others; now owner-only',
      );
    bindStateToKeyset(stateDir, ensured);
    const keyset = loadKeyset(config.keysDir);
    let store: CoprocessorStore | undefined;
    if (config.databaseUrl !== undefined) {
      const postgres = await openPostgresStore(config.databaseUrl);
      store = postgres;
      stops.push(() => postgres.close());
      await postgres.bindKeyset(keysetId(ensured.manifest));
    }
    const clientKey = TfheClientKey.safe_deserialize(keyset.read('clientKey'), SERIALIZATION_LIMIT);
    const modes: StackModes = { compute: config.compute ?? 'real', inputs: config.inputs ?? 'proven' };
    // The big GLWE secret key, decoded only for the modes that use it: cleartext and parity decrypt with
    // it, direct inputs encrypt with it.
    const glweKey = lazyGlweKey(keyset);

    onProgress?.({ phase: 'chain', event: 'start' });
    const chain = await startChain({
      stateDir: paths.chain.dir,
      ...(config.rpcPort ? { port: config.rpcPort } : {}), // 0 or unset: anvil gets a free port
      ...(config.blockTimeSeconds === undefined ? {} : { blockTimeSeconds: config.blockTimeSeconds }),
      idleBlockSeconds: config.idleBlockSeconds ?? DEFAULT_IDLE_BLOCK_SECONDS,
      accounts: config.accounts ?? DEFAULT_ACCOUNTS,
    });
    started(chain);
    onProgress?.({ phase: 'chain', event: 'done' });

    onProgress?.({ phase: 'coprocessor', event: 'start' });
    let evaluator: FheEvaluator;
    let results: ResultPolicy;
    let concurrency = config.threads;
    let kernel: string | undefined;
    if (modes.compute === 'cleartext') {
      evaluator = createCleartextEvaluator({ glweKey: glweKey() });
      results = { mode: 'cleartext' };
    } else {
      const pooled = await createPooledEvaluator({
        evaluationKeys: keyset.read('evaluationKeys'),
        ...(config.threads === undefined ? {} : { threads: config.threads }),
      });
      started(pooled);
      evaluator = pooled;
      concurrency = pooled.threads;
      kernel = pooled.kernel;
      results =
        modes.compute === 'parity'
          ? { mode: 'parity', oracle: createCleartextEvaluator({ glweKey: glweKey() }) }
          : { mode: 'real' };
    }
    const coprocessor = await startCoprocessor({
      ...(store ? { store } : { dbPath: paths.coprocessorDb }),
      rollbackFile: paths.lastRollback,
      rpcUrl: chain.rpcUrl,
      addresses: { acl: chain.addresses.acl, executor: chain.addresses.executor },
      evaluator,
      results,
      logger: logger.child({ component: 'coprocessor' }),
      ...(concurrency === undefined ? {} : { concurrency }),
    });
    started(coprocessor);
    // Never report ready while the listener cannot follow the chain (it would stay silently behind).
    await coprocessor.caughtUp(LISTENER_STALL_MS);
    onProgress?.({ phase: 'coprocessor', event: 'done' });

    onProgress?.({ phase: 'api', event: 'start' });
    const api = await startGatewayApi({
      keyset,
      clientKey,
      hostChainId: BigInt(chain.chainId),
      aclAddress: chain.addresses.acl,
      gateway: chain.gateway,
      signers: chain.signers,
      publicClient: chain.publicClient,
      inputSink: coprocessor,
      store: coprocessor.store,
      inputs: modes.inputs,
      glweKey,
      ...(config.decryptTimeoutMs === undefined ? {} : { decryptTimeoutMs: config.decryptTimeoutMs }),
      ...(config.apiPort === undefined ? {} : { apiPort: config.apiPort }),
      apiToken: ensureApiToken(paths.apiToken),
      webUi: {
        status: () => coprocessor.status(),
        transactions: () => readTraceOverview(coprocessor.store, { recent: 20, failures: 10 }),
        trace: (txHash) => buildTransactionTrace(coprocessor.store, txHash),
      },
      logger,
    });
    for (const service of api.services) started(service);
    const { relayer } = api;
    const metrics: MetricsServer = await startMetricsServer(
      config.metricsPort ?? 0,
      coprocessor.metrics.registry,
    );
    started(metrics);
    onProgress?.({ phase: 'api', event: 'done' });

    const status = async (): Promise<StackStatus> => ({
      modes,
      ...(kernel === undefined ? {} : { kernel }),
      rpcUrl: chain.rpcUrl,
      apiUrl: relayer.url,
      metricsUrl: metrics.url,
      chainId: chain.chainId,
      addresses: chain.addresses,
      gateway: chain.gateway,
      coprocessor: await coprocessor.status(),
      transactions: await readTraceOverview(coprocessor.store),
    });
    writeStackRecord(stateDir, {
      pid: process.pid,
      startedAt: new Date().toISOString(),
      rpcUrl: chain.rpcUrl,
      apiUrl: relayer.url,
      metricsUrl: metrics.url,
      chainId: chain.chainId,
      addresses: { ...chain.addresses },
      ...modes,
      ...(kernel === undefined ? {} : { kernel }),
    });
    stops.unshift(async () => removeStackRecord(stateDir, process.pid));

    const exited = Promise.race(
      services.map((s) => s.exited.then((cause) => ({ name: s.name, cause }))),
    ).then(async ({ name, cause }) => {
      logger.error({ err: cause, part: name }, 'stack part died; stopping the others');
      await stopAll();
      return new FhekitError(
        'FHE_STACK_PART_DIED',
        `The stack's ${name} stopped unexpectedly: ${cause.message}`,
        {
          hint: `The other parts were stopped. See ${paths.log} for what happened before, then start the stack again.`,
          cause,
        },
      );
    });

    return {
      chain,
      coprocessor,
      relayer,
      status,
      sdkConfig: () => ({ ...chain.sdkConfig(), relayerUrl: relayer.url }),
      exited,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
