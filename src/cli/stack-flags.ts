import { Flags } from '@oclif/core';

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

export const stackFlags = {
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
};
