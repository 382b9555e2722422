import { Command } from '@oclif/core';
import { isFhekitError } from '../errors.js';

/** Renders FhekitErrors as message + what to do next, with their code; anything else is a bug and keeps its stack. */
export abstract class BaseCommand extends Command {
  protected override async catch(error: Error & { exitCode?: number }): Promise<unknown> {
    if (isFhekitError(error)) {
      this.error(`${error.message} [${error.code}]`, {
        exit: 1,
        ...(error.hint ? { suggestions: [error.hint] } : {}),
      });
    }
    return super.catch(error);
  }

  /** Live terminal UI only when a human watches; CI and pipes get plain lines. */
  protected get interactive(): boolean {
    return Boolean(process.stderr.isTTY) && !process.env.CI;
  }
}
