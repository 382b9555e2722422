import type { Server } from 'node:http';
import { exitSignal } from './service.js';

/** A listening HTTP server's `exited`: it stopped listening (or failed) without `stop()`. */
export function serverExitSignal(server: Server): ReturnType<typeof exitSignal> {
  const exit = exitSignal();
  server.on('error', (error) => exit.died(error));
  server.on('close', () => exit.died(new Error('the server stopped listening')));
  return exit;
}
