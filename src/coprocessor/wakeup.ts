/**
 * A level-triggered wake-up for a polling loop: `wake()` before or during `wait()` ends the wait early,
 * so a notification between two polls is never lost.
 */
export class Wakeup {
  private pending = false;
  private resolveWaiter: (() => void) | undefined;

  wake(): void {
    this.pending = true;
    this.resolveWaiter?.();
  }

  /** Resolves on the next `wake()` (or at once if one came since the last wait), or after `timeoutMs`. */
  async wait(timeoutMs: number): Promise<void> {
    if (!this.pending) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        this.resolveWaiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.resolveWaiter = undefined;
    }
    this.pending = false;
  }
}
