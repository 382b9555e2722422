// Child process for lifecycle.test.ts: starts a chain (in the state dir given as argument, if any),
// reports anvil's pid, waits to be signalled.
import { startChain } from '../../src/chain/start-chain.js';

const chain = await startChain({ stateDir: process.argv[2] });
process.stdout.write(`${JSON.stringify({ pid: chain.pid, stateDir: chain.stateDir })}\n`);
setInterval(() => {}, 60_000);
