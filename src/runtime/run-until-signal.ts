import type { Service } from './service.js';

/**
 * Runs `service` until SIGINT or SIGTERM, then stops it; rejects with the cause if it dies on its own.
 * Our handlers stay registered until it is stopped, so a second Ctrl-C cannot cut the shutdown short.
 */
export async function runUntilSignal(service: Service): Promise<void> {
  let onSignal = () => {};
  const signalled = new Promise<undefined>((resolve) => {
    onSignal = () => resolve(undefined);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  try {
    const died = await Promise.race([signalled, service.exited]);
    if (died) {
      await service.stop();
      throw died;
    }
    await service.stop();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
