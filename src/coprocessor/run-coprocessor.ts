/**
 * Runs the coprocessor as its own process until SIGTERM/SIGINT (crash-safety tests kill it with -9):
 *
 *   node --import tsx src/coprocessor/run-coprocessor.ts --db <file> --rpc <url> --acl <addr> --executor <addr>
 *        (--keys <keyset dir> | --listen-only) [--ws <url>] [--threads <n>] [--concurrency <n>]
 *        [--start-block <n>] [--log-level <pino level>]
 *
 * Logs are pino JSON lines on stdout.
 */
import { parseArgs } from 'node:util';
import pino from 'pino';
import { type Address, isAddress } from 'viem';
import { createPooledEvaluator } from '../engine/pool/pooled-evaluator.js';
import { FhekitError } from '../errors.js';
import { loadKeyset } from '../keys/load-keyset.js';
import { startCoprocessor } from './coprocessor.js';

const { values } = parseArgs({
  options: {
    db: { type: 'string' },
    rpc: { type: 'string' },
    ws: { type: 'string' },
    acl: { type: 'string' },
    executor: { type: 'string' },
    threads: { type: 'string' },
    concurrency: { type: 'string' },
    'start-block': { type: 'string' },
    keys: { type: 'string' },
    'listen-only': { type: 'boolean', default: false },
    'log-level': { type: 'string', default: 'info' },
  },
});

function required(name: 'db' | 'rpc' | 'acl' | 'executor'): string {
  const value = values[name];
  if (!value) {
    throw new FhekitError('FHE_COPROCESSOR_CONFIG', `--${name} is required.`, {
      hint: 'Usage: run-coprocessor --db <file> --rpc <url> --acl <address> --executor <address>',
    });
  }
  return value;
}

function address(name: 'acl' | 'executor'): Address {
  const value = required(name);
  if (!isAddress(value, { strict: false })) {
    throw new FhekitError('FHE_COPROCESSOR_CONFIG', `--${name} ${value} is not an address.`, {
      hint: 'Pass the 0x-prefixed 20-byte contract address.',
    });
  }
  return value;
}

const logger = pino({ name: 'fhekit-coprocessor', level: values['log-level'] });
const keysDir = values.keys;
if (!values['listen-only'] && !keysDir) {
  throw new FhekitError('FHE_COPROCESSOR_CONFIG', 'Computing needs the keyset (--keys).', {
    hint: 'Pass the directory `fhe generate-keys` wrote, or --listen-only to run the listener alone.',
  });
}
const evaluator =
  values['listen-only'] || !keysDir
    ? undefined
    : await createPooledEvaluator({
        evaluationKeys: loadKeyset(keysDir).read('evaluationKeys'),
        threads: values.threads === undefined ? undefined : Number(values.threads),
      });
const coprocessor = await startCoprocessor({
  dbPath: required('db'),
  rpcUrl: required('rpc'),
  wsUrl: values.ws,
  addresses: { acl: address('acl'), executor: address('executor') },
  evaluator,
  logger,
  concurrency: values.concurrency === undefined ? undefined : Number(values.concurrency),
  startBlock: values['start-block'] === undefined ? undefined : Number(values['start-block']),
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    coprocessor
      .stop()
      .then(() => evaluator?.stop())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'stop failed');
          process.exit(1);
        },
      );
  });
}
