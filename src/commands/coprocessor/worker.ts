import pino from 'pino';
import { BaseCommand } from '../../cli/base-command.js';
import { workerFlags } from '../../cli/coprocessor-flags.js';
import { startWorkerService } from '../../coprocessor/services.js';
import { runUntilSignal } from '../../runtime/run-until-signal.js';

export default class CoprocessorWorker extends BaseCommand {
  static override summary = 'Claim ready computations from a shared PostgreSQL database and compute them.';
  static override description =
    "Run as many as you have machines, each with the keyset of the database. A killed worker's claims return to the queue when their lease expires. Logs are JSON lines on stdout.";
  static override examples = [
    '<%= config.bin %> coprocessor worker --database-url postgres://fhe@db:5432/fhe --keys-dir keys --coprocessor-fhe-threads 8',
  ];
  static override flags = workerFlags;

  async run() {
    const { flags } = await this.parse(CoprocessorWorker);
    const service = await startWorkerService({
      databaseUrl: flags['database-url'],
      poolMaxConnections: flags['pg-pool-max-connections'],
      ...(flags['metrics-addr'] === undefined ? {} : { metricsAddr: flags['metrics-addr'] }),
      keysDir: flags['keys-dir'],
      ...(flags['work-items-batch-size'] === undefined ? {} : { batchSize: flags['work-items-batch-size'] }),
      ...(flags['coprocessor-fhe-threads'] === undefined
        ? {}
        : { fheThreads: flags['coprocessor-fhe-threads'] }),
      ...(flags['worker-id'] === undefined ? {} : { workerId: flags['worker-id'] }),
      leaseMs: flags['work-lease-seconds'] * 1000,
      logger: pino({ name: 'fhekit-worker', level: flags['log-level'] }),
    });
    await runUntilSignal(service);
  }
}
