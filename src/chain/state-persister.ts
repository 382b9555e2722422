import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { Logger } from 'pino';
import { createPublicClient, createTestClient, type Hex, webSocket } from 'viem';

/** transactionsRoot of a block without transactions (the empty trie). */
const EMPTY_TRANSACTIONS_ROOT = '0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421';

export interface StatePersister {
  /** Number of the newest block whose state is on disk (null before the first write). */
  readonly persistedBlock: bigint | null;
  /** Resolves once every block announced so far is on disk. */
  flush(): Promise<void>;
  /** Stops following blocks, after a last flush. */
  stop(): Promise<void>;
}

/**
 * anvil dumps its state only on exit and every few whole seconds, so a kill -9 loses transactions
 * whose receipts were already returned. This writes anvil's state (`anvil_dumpState`, the format
 * `--load-state` reads) atomically to `stateFile` right after every block with transactions, as
 * announced by a newHeads subscription. Empty blocks change no state that matters and are left to
 * anvil's own periodic dump.
 */
export function persistStateOnEveryBlock(options: {
  wsUrl: string;
  stateFile: string;
  logger?: Logger;
}): StatePersister {
  const transport = webSocket(options.wsUrl);
  const publicClient = createPublicClient({ transport });
  const testClient = createTestClient({ transport, mode: 'anvil' });
  let persistedBlock: bigint | null = null;
  let wanted: bigint | null = null;
  let writing: Promise<void> = Promise.resolve();

  const persist = async () => {
    while (wanted !== null && (persistedBlock === null || wanted > persistedBlock)) {
      const target = wanted;
      try {
        writeAtomically(options.stateFile, gunzipSync(hexToBytes(await testClient.dumpState())));
        persistedBlock = target;
      } catch (error) {
        // anvil went away (stop or crash): nothing more can be saved.
        options.logger?.warn({ err: error }, 'could not persist the chain state');
        return;
      }
    }
  };
  const unwatch = publicClient.watchBlocks({
    includeTransactions: false,
    emitMissed: true,
    onBlock: (block) => {
      if (!block || block.number === null || block.transactionsRoot === EMPTY_TRANSACTIONS_ROOT) return;
      wanted = wanted === null || block.number > wanted ? block.number : wanted;
      writing = writing.then(persist);
    },
    onError: (error) =>
      options.logger?.warn({ err: error }, 'chain state persistence: head subscription error'),
  });

  let stopping: Promise<void> | undefined;
  return {
    get persistedBlock() {
      return persistedBlock;
    },
    flush: () => writing,
    stop() {
      stopping ??= (async () => {
        unwatch();
        await writing;
        (await publicClient.transport.getRpcClient()).close();
      })();
      return stopping;
    },
  };
}

function hexToBytes(hex: Hex): Buffer {
  return Buffer.from(hex.slice(2), 'hex');
}

/** Write to a temporary file, fsync, rename: the state file is always a whole dump, old or new. */
function writeAtomically(path: string, bytes: Uint8Array): void {
  const temporary = `${path}.tmp`;
  const fd = openSync(temporary, 'w', 0o600);
  try {
    writeSync(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
}
