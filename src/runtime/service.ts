/**
 * A long-running part of a stack (anvil, the coprocessor, the engine threads, the input worker, the
 * relayer API, the metrics server). `stop()` is the one way to end it; `exited` tells the owner when it
 * ended on its own, so that a stack never keeps running with a dead part.
 */
export interface Service {
  readonly name: string;
  /** Settles (never rejects) with the cause if the part dies on its own; stays pending after `stop()`. */
  readonly exited: Promise<Error>;
  stop(): Promise<void>;
}

/**
 * The `exited` side of a Service: `died(cause)` settles it unless `stopping()` was called first, so
 * the exit that `stop()` itself causes is not reported as a death.
 */
export function exitSignal(): { exited: Promise<Error>; died(cause: Error): void; stopping(): void } {
  let settle: (cause: Error) => void = () => {};
  let stopped = false;
  const exited = new Promise<Error>((resolve) => {
    settle = resolve;
  });
  return {
    exited,
    died: (cause) => {
      if (!stopped) settle(cause);
    },
    stopping: () => {
      stopped = true;
    },
  };
}
