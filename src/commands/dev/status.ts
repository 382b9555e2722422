import { BaseCommand } from '../../cli/base-command.js';
import { stateDirFlag } from '../../cli/stack-flags.js';
import { readStackReport } from '../../stack/stack-status.js';
import { modeCountsText, modesText, statusLine } from '../../ui/stack-dashboard.js';

export default class DevStatus extends BaseCommand {
  static override summary =
    'Show whether a local stack runs from this state dir, and its coprocessor counts.';
  static override enableJsonFlag = true;
  static override flags = { 'state-dir': stateDirFlag };

  async run() {
    const { flags } = await this.parse(DevStatus);
    const report = await readStackReport(flags['state-dir']);
    if (report.record) {
      const r = report.record;
      this.log(`Running (pid ${r.pid}, since ${r.startedAt}) from ${report.stateDir}`);
      this.log(`  Modes        ${modesText(r, r.kernel)}`);
      this.log(`  RPC          ${r.rpcUrl} (chain ${r.chainId})`);
      this.log(`  Relayer API  ${r.apiUrl}`);
      this.log(`  Metrics      ${r.metricsUrl}`);
      for (const [name, address] of Object.entries(r.addresses)) this.log(`  ${name.padEnd(14)}${address}`);
    } else {
      this.log(`No stack running from ${report.stateDir}. Start one with \`fhe dev up\`.`);
    }
    if (report.coprocessor) {
      this.log(`  ${statusLine(report.coprocessor)}`);
      this.log(`  ${modeCountsText(report.coprocessor)}`);
    }
    return report;
  }
}
