import pino from 'pino';
import type { Address } from 'viem';
import { BaseCommand } from '../../cli/base-command.js';
import { apiFlags } from '../../cli/coprocessor-flags.js';
import { runUntilSignal } from '../../runtime/run-until-signal.js';
import { startApiService } from '../../stack/api-service.js';

export default class CoprocessorApi extends BaseCommand {
  static override summary =
    'Serve input verification, the local KMS and the relayer HTTP API over a shared PostgreSQL database.';
  static override description =
    'The gateway side of a stack whose listener and workers run as separate processes. It needs the keyset of the database and the signer keys registered in the host contracts. Logs are JSON lines on stdout.';
  static override examples = [
    '<%= config.bin %> coprocessor api --database-url postgres://fhe@db:5432/fhe --rpc-url http://chain:8545 --acl-contract-address 0x… --signers-file signers.json --api-host 0.0.0.0',
  ];
  static override flags = apiFlags;

  async run() {
    const { flags } = await this.parse(CoprocessorApi);
    const service = await startApiService({
      databaseUrl: flags['database-url'],
      poolMaxConnections: flags['pg-pool-max-connections'],
      rpcUrl: flags['rpc-url'],
      aclAddress: flags['acl-contract-address'] as Address,
      keysDir: flags['keys-dir'],
      signersFile: flags['signers-file'],
      apiTokenFile: flags['api-token-file'],
      apiPort: flags['api-port'],
      apiHost: flags['api-host'],
      inputs: flags.inputs,
      decryptTimeoutMs: flags['decrypt-timeout'] * 1000,
      logger: pino({ name: 'fhekit-api', level: flags['log-level'] }),
    });
    await runUntilSignal(service);
  }
}
