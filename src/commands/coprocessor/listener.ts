import pino from 'pino';
import { type Address, isAddress } from 'viem';
import { BaseCommand } from '../../cli/base-command.js';
import { listenerFlags } from '../../cli/coprocessor-flags.js';
import { startListenerService } from '../../coprocessor/services.js';
import { FhekitError } from '../../errors.js';
import { runUntilSignal } from '../../runtime/run-until-signal.js';

function address(flag: string, value: string): Address {
  if (isAddress(value, { strict: false })) return value;
  throw new FhekitError('FHE_COPROCESSOR_CONFIG', `--${flag} ${value} is not an address.`, {
    hint: 'Pass the 0x-prefixed 20-byte contract address (`fhe dev status` shows them for a local stack).',
  });
}

export default class CoprocessorListener extends BaseCommand {
  static override summary =
    'Follow the host chain into a shared PostgreSQL database: computations, ACL rows, delegations.';
  static override description =
    'One per database. Workers (`fhe coprocessor worker`) compute what it writes. Logs are JSON lines on stdout.';
  static override examples = [
    '<%= config.bin %> coprocessor listener --database-url postgres://fhe@db:5432/fhe --rpc-url http://chain:8545 --acl-contract-address 0x… --tfhe-contract-address 0x…',
  ];
  static override flags = listenerFlags;

  async run() {
    const { flags } = await this.parse(CoprocessorListener);
    const service = await startListenerService({
      databaseUrl: flags['database-url'],
      poolMaxConnections: flags['pg-pool-max-connections'],
      ...(flags['metrics-addr'] === undefined ? {} : { metricsAddr: flags['metrics-addr'] }),
      rpcUrl: flags['rpc-url'],
      ...(flags['ws-url'] === undefined ? {} : { wsUrl: flags['ws-url'] }),
      addresses: {
        acl: address('acl-contract-address', flags['acl-contract-address']),
        executor: address('tfhe-contract-address', flags['tfhe-contract-address']),
      },
      ...(flags['start-block'] === undefined ? {} : { startBlock: flags['start-block'] }),
      logger: pino({ name: 'fhekit-listener', level: flags['log-level'] }),
    });
    await runUntilSignal(service);
  }
}
