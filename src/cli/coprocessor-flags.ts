import { Flags } from '@oclif/core';
import { modeFlags, stackFlags } from './stack-flags.js';

/**
 * Flags of the coprocessor's services (`fhe coprocessor listener|worker|api`), named like the reference
 * coprocessor's where it has one; each also readable from its FHE_* variable.
 */
const DATABASE_URL = {
  summary: 'PostgreSQL URL of the shared coprocessor database (postgres://user:password@host:5432/db).',
  env: 'FHE_DATABASE_URL',
};

/** `fhe dev up --database-url`: the whole stack on PostgreSQL instead of the embedded SQLite. */
export const databaseUrlFlag = Flags.string(DATABASE_URL);

export const serviceFlags = {
  'database-url': Flags.string({ ...DATABASE_URL, required: true }),
  'pg-pool-max-connections': Flags.integer({
    summary: 'Connections of this process to the database.',
    default: 10,
    min: 1,
    env: 'FHE_PG_POOL_MAX_CONNECTIONS',
  }),
  'metrics-addr': Flags.string({
    summary: "host:port of this service's Prometheus /metrics (none when omitted).",
    env: 'FHE_METRICS_ADDR',
  }),
  'log-level': Flags.string({
    summary: 'Level of the JSON log lines on stdout.',
    options: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    default: 'info',
    env: 'FHE_LOG_LEVEL',
  }),
};

export const listenerFlags = {
  ...serviceFlags,
  'rpc-url': Flags.string({
    summary: 'JSON-RPC URL of the host chain.',
    required: true,
    env: 'FHE_RPC_URL',
  }),
  'ws-url': Flags.string({
    summary: 'WebSocket URL of the host chain: new heads by subscription instead of polling.',
    env: 'FHE_WS_URL',
  }),
  'acl-contract-address': Flags.string({
    summary: "Address of the host chain's ACL contract.",
    required: true,
    env: 'FHE_ACL_CONTRACT_ADDRESS',
  }),
  'tfhe-contract-address': Flags.string({
    summary: "Address of the host chain's FHEVMExecutor contract.",
    required: true,
    env: 'FHE_TFHE_CONTRACT_ADDRESS',
  }),
  'start-block': Flags.integer({
    summary: 'First block to ingest into an empty database.',
    min: 0,
    env: 'FHE_START_BLOCK',
  }),
};

export const workerFlags = {
  ...serviceFlags,
  'keys-dir': Flags.string({
    summary: 'Keyset directory (the same keyset on every service of one database).',
    default: 'keys',
    env: 'FHE_KEYS_DIR',
  }),
  'work-items-batch-size': Flags.integer({
    summary: 'Computations claimed at once (default: --coprocessor-fhe-threads).',
    min: 1,
    env: 'FHE_WORK_ITEMS_BATCH_SIZE',
  }),
  'coprocessor-fhe-threads': Flags.integer({
    summary: 'Engine threads, and computations run at once (default: number of cores).',
    min: 1,
    env: 'FHE_COPROCESSOR_FHE_THREADS',
  }),
  'worker-id': Flags.string({
    summary: "This worker's id in the work leases (default: <hostname>-<pid>).",
    env: 'FHE_WORKER_ID',
  }),
  'work-lease-seconds': Flags.integer({
    summary: "How long a claim holds without renewal: a killed worker's claims return to the queue after it.",
    default: 30,
    min: 1,
    env: 'FHE_WORK_LEASE_SECONDS',
  }),
};

export const apiFlags = {
  ...serviceFlags,
  inputs: modeFlags.inputs,
  'rpc-url': listenerFlags['rpc-url'],
  'acl-contract-address': listenerFlags['acl-contract-address'],
  'keys-dir': workerFlags['keys-dir'],
  'signers-file': Flags.string({
    summary:
      "The stack's signer keys: chain/signers.json of the state dir that installed the host contracts (owner-only).",
    required: true,
    env: 'FHE_SIGNERS_FILE',
  }),
  'api-token-file': Flags.string({
    summary: 'File with the token the /fhekit/ routes require (created, owner-only, when missing).',
    default: '.fhe/api-token',
    env: 'FHE_API_TOKEN_FILE',
  }),
  'api-port': stackFlags['api-port'],
  'api-host': Flags.string({
    summary: 'Address the API listens on (0.0.0.0: reachable from other machines).',
    default: '127.0.0.1',
    env: 'FHE_API_HOST',
  }),
  'decrypt-timeout': stackFlags['decrypt-timeout'],
};
