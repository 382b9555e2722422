import { BaseCommand } from '../../cli/base-command.js';
import { stateDirFlag } from '../../cli/stack-flags.js';
import { stopBackgroundStack } from '../../stack/background.js';

export default class DevDown extends BaseCommand {
  static override summary =
    'Stop the local stack running from this state dir (chain state and database are kept).';
  static override flags = { 'state-dir': stateDirFlag };

  async run() {
    const { flags } = await this.parse(DevDown);
    const stopped = await stopBackgroundStack(flags['state-dir']);
    this.log(
      stopped ? `Stopped the stack (pid ${stopped.pid}).` : 'No stack was running from this state dir.',
    );
  }
}
