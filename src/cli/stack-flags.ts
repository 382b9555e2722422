import { Flags } from '@oclif/core';
import { COMPUTE_MODES } from '../coprocessor/compute-mode.js';
import { DEFAULT_ACCOUNTS, DEFAULT_IDLE_BLOCK_SECONDS, INPUT_MODES } from '../stack/stack-defaults.js';

/** Flags shared by the commands that start or find a stack; each also readable from its FHE_* variable. */
export const stateDirFlag = Flags.string({
  summary: 'Directory for chain state, signer keys, the coprocessor database and logs.',
  default: '.fhe',
  env: 'FHE_STATE_DIR',
});

export const keysDirFlag = Flags.string({
  summary: 'Keyset directory.',
  default: 'keys',
  env: 'FHE_KEYS_DIR',
});

/** How the stack computes and takes inputs (also for the stack `fhe smoke-test` starts itself). */
export const modeFlags = {
  compute: Flags.option({
    summary:
      'real: TFHE engine; cleartext: plaintext semantics + fresh encryption (fast, no engine); parity: engine, checked against the plaintext semantics.',
    options: COMPUTE_MODES,
    default: 'real' as const,
    env: 'FHE_COMPUTE',
  })(),
  inputs: Flags.option({
    summary:
      'proven: SDK input proofs, verified; direct: also accept plaintext inputs from holders of the API token (POST /fhekit/direct-input).',
    options: INPUT_MODES,
    default: 'proven' as const,
    env: 'FHE_INPUTS',
  })(),
};

export const stackFlags = {
  ...modeFlags,
  'state-dir': stateDirFlag,
  'keys-dir': keysDirFlag,
  'rpc-port': Flags.integer({
    summary: 'anvil JSON-RPC port (0: any free port).',
    default: 8545,
    env: 'FHE_RPC_PORT',
  }),
  'api-port': Flags.integer({
    summary: 'Relayer HTTP API port (0: any free port).',
    default: 8547,
    env: 'FHE_API_PORT',
  }),
  'metrics-port': Flags.integer({
    summary: 'Prometheus /metrics port (0: any free port).',
    default: 9464,
    env: 'FHE_METRICS_PORT',
  }),
  threads: Flags.integer({
    summary: 'FHE computations run at once (default: number of cores).',
    env: 'FHE_THREADS',
  }),
  'log-level': Flags.string({
    summary: 'Log level of <state-dir>/fhekit.log.',
    options: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    default: 'info',
    env: 'FHE_LOG_LEVEL',
  }),
  'block-time': Flags.integer({
    summary: 'Seconds between blocks (default: one block per transaction).',
    env: 'FHE_BLOCK_TIME',
  }),
  'decrypt-timeout': Flags.integer({
    summary: 'Seconds a decryption waits for a handle still queued in the coprocessor.',
    default: 600,
    min: 1,
    env: 'FHE_DECRYPT_TIMEOUT',
  }),
  'idle-block-time': Flags.integer({
    summary:
      'With a block per transaction, also mine an empty block every this many seconds (0: off; ignored with --block-time).',
    default: DEFAULT_IDLE_BLOCK_SECONDS,
    min: 0,
    env: 'FHE_IDLE_BLOCK_TIME',
  }),
  accounts: Flags.integer({
    summary: 'Dev accounts of the standard test mnemonic funded at genesis.',
    default: DEFAULT_ACCOUNTS,
    min: 1,
    env: 'FHE_ACCOUNTS',
  }),
};
