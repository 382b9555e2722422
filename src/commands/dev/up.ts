import { Flags } from '@oclif/core';
import pino from 'pino';
import { BaseCommand } from '../../cli/base-command.js';
import { databaseUrlFlag } from '../../cli/coprocessor-flags.js';
import { stackFlags } from '../../cli/stack-flags.js';
import { recordStartFailure, startStackInBackground } from '../../stack/background.js';
import { type StackProgress, startStack } from '../../stack/start-stack.js';
import { stateDirLayout } from '../../state-dir.js';
import { modesText, renderDashboard, statusLine } from '../../ui/stack-dashboard.js';
import { createStepProgress } from '../../ui/step-progress.js';

const START_STEPS = [
  { label: 'Keyset (made once, ~1 min)', expectedMs: 70_000 },
  { label: 'Chain: anvil + host contracts', expectedMs: 3_000 },
  { label: 'Coprocessor', expectedMs: 3_000 },
  { label: 'Relayer API + local KMS', expectedMs: 2_000 },
];
const PHASE_STEP = { chain: 1, coprocessor: 2, api: 3 } as const;

export default class DevUp extends BaseCommand {
  static override summary =
    'Start the local fhEVM stack: anvil with host contracts, coprocessor, KMS, relayer API.';
  static override description =
    'Generates the keyset on first run, then runs until Ctrl-C. A live dashboard on a terminal, plain status lines otherwise. With --background it detaches and returns once the stack is ready (stop it with `fhe dev down`).';
  static override examples = [
    '<%= config.bin %> dev up',
    '<%= config.bin %> dev up --background',
    'FHE_RPC_PORT=0 FHE_API_PORT=0 <%= config.bin %> dev up',
    '<%= config.bin %> dev up --compute cleartext --inputs direct',
    '<%= config.bin %> dev up --database-url postgres://fhe@localhost:5432/fhe',
  ];
  static override flags = {
    ...stackFlags,
    'database-url': databaseUrlFlag,
    background: Flags.boolean({
      summary: 'Detach and return once the stack is ready.',
      default: false,
      env: 'FHE_BACKGROUND',
    }),
  };

  async run() {
    const { flags } = await this.parse(DevUp);
    if (flags.background) {
      const argv = process.argv.slice(1).filter((arg) => arg !== '--background');
      const record = await startStackInBackground({
        stateDir: flags['state-dir'],
        command: argv,
      });
      this.log(`Stack running in the background (pid ${record.pid}).`);
      this.log(`  RPC          ${record.rpcUrl}\n  Relayer API  ${record.apiUrl}`);
      this.log(`Logs: ${stateDirLayout(flags['state-dir']).backgroundLog}. Stop it with \`fhe dev down\`.`);
      return;
    }

    const interactive = this.interactive;
    const progress = createStepProgress(START_STEPS, { interactive });
    const logFile = stateDirLayout(flags['state-dir']).log;
    progress.start(0);
    const onProgress = (p: StackProgress) => {
      if (p.phase === 'keys') return;
      const step = PHASE_STEP[p.phase];
      if (p.event === 'start') {
        if (step === 1) progress.done(0, 'ready');
        progress.start(step);
      } else progress.done(step, '');
    };
    const stack = await startStack(
      {
        stateDir: flags['state-dir'],
        keysDir: flags['keys-dir'],
        rpcPort: flags['rpc-port'],
        apiPort: flags['api-port'],
        metricsPort: flags['metrics-port'],
        ...(flags.threads === undefined ? {} : { threads: flags.threads }),
        ...(flags['block-time'] === undefined ? {} : { blockTimeSeconds: flags['block-time'] }),
        decryptTimeoutMs: flags['decrypt-timeout'] * 1000,
        idleBlockSeconds: flags['idle-block-time'],
        accounts: flags.accounts,
        compute: flags.compute,
        inputs: flags.inputs,
        ...(flags['database-url'] === undefined ? {} : { databaseUrl: flags['database-url'] }),
        logger: pino(
          { level: flags['log-level'] },
          // Synchronous: an asynchronous destination still opening throws on exit and hides a start failure.
          pino.destination({ dest: logFile, mkdir: true, sync: true }),
        ),
      },
      onProgress,
    )
      .catch((error: unknown) => {
        recordStartFailure(flags['state-dir'], error);
        throw error;
      })
      .finally(() => progress.stop());

    const first = await stack.status();
    let view: { update(status: typeof first): void; stop(): void };
    if (interactive) {
      view = renderDashboard(first);
    } else {
      this.log(`fhekit stack ready (${modesText(first.modes, first.kernel)}). Logs: ${logFile}`);
      for (const line of stack.chain.describe()) this.log(`  ${line}`);
      this.log(`  Relayer API: ${first.apiUrl}\n  Metrics: ${first.metricsUrl}`);
      let last = '';
      view = {
        update: (status) => {
          const line = statusLine(status.coprocessor);
          if (line !== last) this.log(line);
          last = line;
        },
        stop: () => {},
      };
    }
    const timer = setInterval(
      () => {
        stack.status().then(view.update, () => {});
      },
      interactive ? 500 : 5_000,
    );
    // Our handlers stay registered until the stack is down, so a second Ctrl-C cannot cut the shutdown short.
    let onSignal = () => {};
    const died = await Promise.race([
      new Promise<undefined>((resolve) => {
        onSignal = () => resolve(undefined);
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
      }),
      stack.exited,
    ]);
    clearInterval(timer);
    view.stop();
    if (died === undefined) {
      this.log('Stopping…');
      await stack.stop();
    }
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    // The stack already stopped its other parts; exit non-zero with the part and the cause.
    if (died) throw died;
    this.log('Stopped.');
  }
}
