import { BaseCommand } from '../../cli/base-command.js';
import { databaseUrlFlag } from '../../cli/coprocessor-flags.js';
import { stateDirFlag } from '../../cli/stack-flags.js';
import { readStackReport } from '../../stack/stack-status.js';
import { modeCountsText, modesText, statusLine } from '../../ui/stack-dashboard.js';

export default class DevStatus extends BaseCommand {
  static override summary =
    'Show whether a local stack runs from this state dir, and its coprocessor counts.';
  static override enableJsonFlag = true;
  static override flags = { 'state-dir': stateDirFlag, 'database-url': databaseUrlFlag };

  async run() {
    const { flags } = await this.parse(DevStatus);
    const report = await readStackReport(flags['state-dir'], flags['database-url']);
    if (report.record) {
      const r = report.record;
      this.log(`Running (pid ${r.pid}, since ${r.startedAt}) from ${report.stateDir}`);
      this.log(`  Modes        ${modesText(r, r.kernel)}`);
      this.log(`  RPC          ${r.rpcUrl} (chain ${r.chainId})`);
      this.log(`  Relayer API  ${r.apiUrl}`);
      this.log(`  Metrics      ${r.metricsUrl}`);
      this.log(`  Web UI       ${r.apiUrl}/ui (asks for the token in ${report.stateDir}/api-token)`);
      for (const [name, address] of Object.entries(r.addresses)) this.log(`  ${name.padEnd(14)}${address}`);
    } else {
      this.log(`No stack running from ${report.stateDir}. Start one with \`fhe dev up\`.`);
    }
    if (report.coprocessor) {
      this.log(`  ${statusLine(report.coprocessor)}`);
      this.log(`  ${modeCountsText(report.coprocessor)}`);
      for (const lease of report.coprocessor.workers) {
        this.log(
          `  Worker ${lease.worker}: ${lease.computations} claimed, lease until ${new Date(lease.expiresAt).toISOString()}`,
        );
      }
    }
    return report;
  }
}
