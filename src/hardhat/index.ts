/**
 * `import "fhekit/hardhat"` in a Hardhat 2 config, in place of `import "@fhevm/hardhat-plugin"`: the same
 * `hre.fhevm` on real TFHE. Glue only: Hardhat hooks here, the work in the sibling modules.
 */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import pino from 'pino';
import { HOST_ADDRESSES } from '../chain/host-contracts.js';
import { COMPUTE_MODES, type ComputeMode } from '../coprocessor/compute-mode.js';
import { FhekitError } from '../errors.js';
import type { FhevmBackend } from './backend.js';
import { cacheRoot, keysDir } from './cache-dirs.js';
import { defaultFhekitNetwork } from './fhekit-network.js';
import { FhekitFhevmRuntime } from './fhevm-runtime.js';
import type { HardhatFhevmRuntimeEnvironment } from './fhevm-types.js';
import * as fhevmTypes from './fhevm-types.js';
import { HcuLedger } from './hcu-ledger.js';
import { type Eip1193Provider, startInProcessBackend } from './in-process-backend.js';
import { printKeygenProgress } from './keygen-progress.js';
import { missingHostOpError, missingHostOpsIn } from './missing-host-ops.js';
import { createOfflineSolcResolver, type SolcBuild } from './offline-solc.js';
import { formatRunReport } from './run-report.js';
import { shadowZamaPlugin } from './shadow-zama-plugin.js';
import { connectToStackBackend } from './stack-backend.js';

export * from './fhevm-types.js';

declare module 'hardhat/types/runtime.js' {
  interface HardhatRuntimeEnvironment {
    fhevm: HardhatFhevmRuntimeEnvironment;
  }
}

// The project's Hardhat (not a copy next to fhekit): its task registry is the one the CLI runs.
const projectRequire = createRequire(join(process.cwd(), 'package.json'));
const hardhatConfig = projectRequire('hardhat/config') as typeof import('hardhat/config.js');
const taskNames = projectRequire(
  'hardhat/builtin-tasks/task-names',
) as typeof import('hardhat/builtin-tasks/task-names.js');
// Like @fhevm/hardhat-plugin, bring hre.ethers along (a project without it just lacks the helpers).
try {
  projectRequire('@nomicfoundation/hardhat-ethers');
} catch {}

// Imports of @fhevm/hardhat-plugin left in tests and tasks get fhekit's exports, not a second mock.
shadowZamaPlugin(projectRequire, fhevmTypes);

const SUPPORTED_HARDHAT = /^2\./;
const hardhatVersion = (projectRequire('hardhat/package.json') as { version: string }).version;
if (!SUPPORTED_HARDHAT.test(hardhatVersion)) {
  throw new FhekitError(
    'FHE_HARDHAT_UNSUPPORTED',
    `fhekit/hardhat supports Hardhat 2, not ${hardhatVersion}.`,
    {
      hint: 'Use hardhat@^2.22 (Hardhat 3 has a different plugin API).',
    },
  );
}

const stateDir = process.env.FHE_STATE_DIR ?? '.fhe';

hardhatConfig.extendConfig((config, userConfig) => {
  // Real FHE takes seconds per operation: Hardhat's 40 s default would fail mock-mode suites.
  if (userConfig.mocha?.timeout === undefined) config.mocha.timeout = 600_000;
  if (userConfig.networks?.fhekit === undefined) {
    config.networks.fhekit = defaultFhekitNetwork(config.networks.hardhat, stateDir);
  }
});

const { ProviderWrapper } = projectRequire('hardhat/plugins') as typeof import('hardhat/plugins.js');

const hcuLedger = new HcuLedger(HOST_ADDRESSES.executor);

/**
 * Between the project and its chain: turns a bare revert of a contract that calls host functions
 * 0.10.0 lacks into FHE_HOST_OP_MISSING, and reads the HCU of every receipt the tests fetch.
 */
class FhekitProvider extends ProviderWrapper {
  async request(args: { method: string; params?: readonly unknown[] | object }): Promise<unknown> {
    let result: unknown;
    try {
      result = await this._wrappedProvider.request(args);
    } catch (error) {
      throw await explainRevert(this._wrappedProvider, args, error);
    }
    if (args.method === 'eth_getTransactionReceipt') hcuLedger.recordReceipt(result as never);
    return result;
  }
}

const CALLS = new Set(['eth_sendTransaction', 'eth_estimateGas', 'eth_call']);

async function explainRevert(
  provider: Eip1193Provider,
  args: { method: string; params?: readonly unknown[] | object },
  error: unknown,
): Promise<unknown> {
  const to = Array.isArray(args.params) ? (args.params[0] as { to?: string } | undefined)?.to : undefined;
  const data = (error as { data?: unknown }).data;
  const bare = /without a reason|reverted$/.test(String((error as Error).message)) || data === '0x';
  if (!CALLS.has(args.method) || !to || !bare) return error;
  const code = (await provider.request({ method: 'eth_getCode', params: [to, 'latest'] })) as `0x${string}`;
  const missing = missingHostOpsIn(code);
  return missing.length > 0 ? missingHostOpError(to, missing, error) : error;
}

hardhatConfig.extendProvider(async (provider) => new FhekitProvider(provider));

hardhatConfig.extendEnvironment((hre) => {
  const makeInterface = (abi: unknown) => {
    const { Interface } = projectRequire('ethers') as { Interface: new (abi: unknown) => unknown };
    return new Interface(abi);
  };
  hre.fhevm = new FhekitFhevmRuntime(hre.network.provider, () => startBackend(hre), makeInterface);
});

let backendStartedAt = 0;

async function startBackend(
  hre: import('hardhat/types/index.js').HardhatRuntimeEnvironment,
): Promise<FhevmBackend> {
  backendStartedAt = Date.now();
  const logDir = join(cacheRoot(process.env), 'hardhat');
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, 'fhekit.log');
  const logger = pino(
    { name: 'fhekit', level: process.env.FHE_LOG_LEVEL ?? 'info' },
    pino.destination({ dest: logFile, sync: true, append: false }),
  );
  if (hre.network.name === 'hardhat') {
    return startInProcessBackend({
      provider: hre.network.provider,
      chainId: hre.network.config.chainId ?? 31337,
      keysDir: keysDir(process.env),
      inputs: process.env.FHE_INPUTS === 'proven' ? 'proven' : 'direct',
      compute: computeModeFromEnv(process.env.FHE_COMPUTE),
      ...(process.env.FHE_THREADS ? { threads: Number(process.env.FHE_THREADS) } : {}),
      logger,
      onKeygenProgress: printKeygenProgress(keysDir(process.env)),
    });
  }
  const url = 'url' in hre.network.config ? hre.network.config.url : undefined;
  return connectToStackBackend({
    stateDir,
    networkName: hre.network.name,
    rpcUrl: url,
    provider: hre.network.provider,
    logger,
  });
}

function computeModeFromEnv(value: string | undefined): ComputeMode {
  if (value === undefined || value === '') return 'real';
  if ((COMPUTE_MODES as readonly string[]).includes(value)) return value as ComputeMode;
  throw new FhekitError('FHE_BAD_COMPUTE_MODE', `FHE_COMPUTE='${value}' is not a compute mode.`, {
    hint: `Set FHE_COMPUTE to one of ${COMPUTE_MODES.join(', ')} (or unset it for real TFHE).`,
  });
}

const resolveSolc = createOfflineSolcResolver({
  projectRequire,
  cacheDir: join(cacheRoot(process.env), 'solc'),
  say: (line) => console.log(line),
});

hardhatConfig
  .subtask(taskNames.TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD)
  .setAction(async (args: { quiet: boolean; solcVersion: string }, _hre, runSuper) =>
    resolveSolc(args.solcVersion, () => runSuper(args) as Promise<SolcBuild>),
  );

hardhatConfig.subtask(taskNames.TASK_TEST_RUN_MOCHA_TESTS).setAction(async (args, hre, runSuper) => {
  const runtime = hre.fhevm as FhekitFhevmRuntime;
  // Started before any test file runs, so a snapshot a test takes already holds the host contracts.
  await runtime.ready();
  let failures = 0;
  try {
    failures = (await runSuper(args)) as number;
  } finally {
    const backend = runtime.backend;
    if (backend) {
      const report = await backend.report();
      const lines = formatRunReport(
        { ...report, hcu: hcuLedger.summary() },
        (Date.now() - backendStartedAt) / 1000,
      );
      if (hre.network.name !== 'hardhat') {
        lines.push('  (counted by the `fhe dev up` stack over this run: its other clients included)');
      }
      console.log(`\n${lines.join('\n')}`);
      await backend.stop();
      // Parity mode exists to catch the engine disagreeing with the plaintext semantics: that fails the run.
      const mismatches = report.parity?.mismatches ?? 0;
      if (mismatches > 0) console.log(`fhekit: ${mismatches} parity mismatch(es): the run fails.`);
      failures += mismatches;
    }
  }
  return failures;
});
