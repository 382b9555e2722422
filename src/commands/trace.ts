import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { keysDirFlag, stateDirFlag } from '../cli/stack-flags.js';
import { FhekitError } from '../errors.js';
import { readStackTraces } from '../trace/stack-traces.js';
import { traceText, VALUES_NOTICE } from '../ui/trace-text.js';

export default class Trace extends BaseCommand {
  static override summary =
    'Show the FHE operations a transaction triggered: their graph, status, bootstraps, time and HCU.';
  static override description =
    'Reads the coprocessor database of the stack in --state-dir (running or stopped). HCU and HCU depth are what the host chain’s HCULimit contract charges, against its per-transaction limits. --values decrypts every operand and result with the keyset’s client key: a dev-only power.';
  static override enableJsonFlag = true;
  static override examples = [
    '<%= config.bin %> trace 0x<transaction hash>',
    '<%= config.bin %> trace --last 3',
    '<%= config.bin %> trace --last 1 --values',
  ];
  static override args = {
    txhash: Args.string({ description: 'Transaction hash (or use --last).' }),
  };
  static override flags = {
    // Per-call flags have no FHE_* variable: a stray export would change every later command.
    last: Flags.integer({ summary: 'Trace the N latest transactions that triggered FHE operations.' }),
    values: Flags.boolean({
      summary: 'Decrypt operands and results with the client key (dev only).',
      default: false,
    }),
    'state-dir': stateDirFlag,
    'keys-dir': keysDirFlag,
  };

  async run() {
    const { args, flags } = await this.parse(Trace);
    if (args.txhash !== undefined && flags.last !== undefined) {
      throw new FhekitError('FHE_TRACE_TARGET_AMBIGUOUS', 'Pass a transaction hash or --last N, not both.', {
        hint: '`fhe trace 0x<hash>` traces one transaction, `fhe trace --last 3` the latest three.',
      });
    }
    const result = await readStackTraces({
      stateDir: flags['state-dir'],
      target: args.txhash === undefined ? { last: flags.last ?? 1 } : { txHash: args.txhash },
      ...(flags.values ? { values: { keysDir: flags['keys-dir'] } } : {}),
    });
    if (result.values) this.log(VALUES_NOTICE);
    for (const trace of result.traces) {
      this.log('');
      for (const line of traceText(trace, result.values)) this.log(line);
    }
    return result;
  }
}
