// Entry of a worker started from the TypeScript sources (see module-worker.ts): registers tsx's loader
// inside the worker, then loads the real worker module, whose URL is the last argv entry.
import { register } from 'tsx/esm/api';

register();
await import(process.argv.at(-1));
