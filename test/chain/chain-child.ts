// Child process for lifecycle.test.ts: starts a chain, reports anvil's pid, waits to be signalled.
import { startChain } from '../../src/chain/start-chain.js';

const chain = await startChain();
process.stdout.write(`${JSON.stringify({ pid: chain.pid, stateDir: chain.stateDir })}\n`);
setInterval(() => {}, 60_000);
