import type { Logger } from 'pino';
import type { Block, Hex, Log, PublicClient } from 'viem';
import { FhekitError } from '../errors.js';
import { decodeHostLogs, type HostEventAddresses } from './host-events.js';
import type { CoprocessorMetrics } from './metrics.js';
import type { BlockId, CoprocessorStore, IngestedBlock, RollbackSummary } from './store.js';
import { Wakeup } from './wakeup.js';

/** Blocks read per round when catching up (one ranged getLogs, headers in parallel). */
const RANGE_BLOCKS = 100;

type ChainBlock = Block<bigint, false, 'latest'> & { hash: Hex };

/** The chain went back: blocks after `toBlock` that we had ingested (up to `fromBlock`) are gone. */
export interface ChainRollback {
  at: string;
  fromBlock: number;
  toBlock: number;
  dropped: RollbackSummary;
}

export interface ListenerOptions {
  /** HTTP or WebSocket client of the host chain. */
  client: PublicClient;
  store: CoprocessorStore;
  addresses: HostEventAddresses;
  metrics: CoprocessorMetrics;
  logger: Logger;
  /** First block to ingest when the store has no cursor yet (default and minimum 1: see `startBlock`). */
  startBlock?: number;
  /** How often to ask for the head (with a subscription, only a fallback). */
  pollIntervalMs?: number;
  /** Subscribe to new heads (WebSocket transport) instead of relying on polling alone. */
  subscribe?: boolean;
  /** Called after each block is committed. */
  onBlock?: (block: IngestedBlock) => void;
  /** Called when the chain went back under ingested blocks and their rows were rolled back. */
  onRollback?: (rollback: ChainRollback) => void;
}

/**
 * Follows the host chain block by block: fetches each block's FHEVMExecutor and ACL logs by block hash
 * (so header and logs are one consistent view), decodes them and commits them with the cursor in one
 * store transaction. On restart it resumes after the cursor. A block whose parent is not the cursor, or
 * a tip that changed hash, is a reorg: it walks back to the last block still canonical, rolls back
 * everything after it and re-ingests the new branch.
 */
export class HostListener {
  private readonly wakeup = new Wakeup();
  private stopped = true;
  private loop: Promise<void> | undefined;
  private unwatch: (() => void) | undefined;
  private head: number | null = null;
  private readonly startBlock: number;
  private reachedHead = false;
  /** Highest block ever ingested and when: re-ingesting the same blocks in a loop is no progress. */
  private highest = -1;
  private lastProgressAt = 0;
  private lastError: unknown;

  constructor(private readonly options: ListenerOptions) {
    // A genesis block has no transactions, so no events. It is never ingested, because anvil can give
    // it a new hash when it reloads a state while block 1 keeps the old parent hash: comparing the two
    // would look like a reorg at every poll.
    this.startBlock = Math.max(1, options.startBlock ?? 1);
  }

  /** Latest head seen on the chain (null before the first poll). */
  get headBlock(): number | null {
    return this.head;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.lastProgressAt = Date.now();
    if (this.options.subscribe) {
      this.unwatch = this.options.client.watchBlockNumber({
        onBlockNumber: () => this.wakeup.wake(),
        onError: (error) => this.options.logger.warn({ err: error }, 'head subscription error'),
      });
    }
    this.loop = this.run();
  }

  /**
   * Resolves once the listener has ingested every block up to the head it saw; rejects with
   * FHE_LISTENER_STALLED when it goes `stallMs` without ingesting a new block before that.
   */
  async whenCaughtUp(stallMs: number): Promise<void> {
    while (!this.reachedHead) {
      if (this.stopped || Date.now() - this.lastProgressAt > stallMs) {
        const reason = this.lastError instanceof Error ? `: ${this.lastError.message.split('\n')[0]}` : '';
        throw new FhekitError(
          'FHE_LISTENER_STALLED',
          `The coprocessor cannot follow the host chain: no new block ingested for ${Math.round(stallMs / 1000)} s (last block ${this.highest < 0 ? 'none' : this.highest}, chain head ${this.head ?? 'unknown'})${reason}.`,
          {
            hint: 'Check that the chain answers and see the coprocessor log for the cause; a database that belongs to another chain needs a fresh state dir.',
            cause: this.lastError,
          },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Settles when the follow loop ends: after `stop()`, or if it ever failed outside its retries. */
  get ended(): Promise<void> {
    return this.loop ?? Promise.resolve();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unwatch?.();
    this.wakeup.wake();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { logger, metrics } = this.options;
    const pollIntervalMs = this.options.pollIntervalMs ?? (this.options.subscribe ? 2000 : 200);
    let failures = 0;
    while (!this.stopped) {
      try {
        if (await this.sync()) this.reachedHead = true;
        if (failures > 0) logger.info({ failures }, 'host chain reachable again');
        failures = 0;
      } catch (error) {
        failures++;
        this.lastError = error;
        metrics.errors.inc({ component: 'listener' });
        // A chain that is down fails every poll: log the first failures, then every 50th.
        if (failures <= 3 || failures % 50 === 0) {
          logger.error({ err: error, failures }, 'listener sync failed; retrying');
        }
      }
      // Back off while the chain is unreachable (up to 5 s), poll normally otherwise.
      await this.wakeup.wait(
        failures === 0 ? pollIntervalMs : Math.min(5000, pollIntervalMs * 2 ** failures),
      );
    }
  }

  /** Ingests every block up to the current head; true if it got there. */
  private async sync(): Promise<boolean> {
    const { client, store } = this.options;
    const head = Number(await client.getBlockNumber({ cacheTime: 0 }));
    this.head = head;
    let cursor = await store.getCursor();
    if (cursor && !(await this.isCanonical(Math.min(cursor.number, head), cursor.number > head))) {
      cursor = await this.rollBackReorg(Math.min(cursor.number, head));
    }
    while (!this.stopped) {
      const next = cursor ? cursor.number + 1 : this.startBlock;
      if (next > head) return true;
      // The chain changed under a range read, or got shorter since we read the head: the next sync sees it.
      const blocks = await this.fetchBlocks(next, Math.min(head, next + RANGE_BLOCKS - 1));
      if (!blocks) return false;
      for (const { block, logs } of blocks) {
        if (this.stopped) return false;
        if (cursor && block.parentHash !== cursor.hash) {
          cursor = await this.rollBackReorg(cursor.number);
          break;
        }
        cursor = await this.ingest(block, logs);
      }
    }
    return false;
  }

  /**
   * Blocks `from..to` with their host-contract logs, as one consistent view, or null if the chain moved.
   * One block: logs by block hash. Several (catching up): headers in parallel, one ranged getLogs, then
   * the last header again; if it is unchanged, every block up to it was canonical throughout.
   */
  private async fetchBlocks(from: number, to: number): Promise<{ block: ChainBlock; logs: Log[] }[] | null> {
    const { client, addresses } = this.options;
    const address = [addresses.acl, addresses.executor];
    if (from === to) {
      const block = await this.canonicalBlock(from);
      return block && [{ block, logs: await client.getLogs({ address, blockHash: block.hash }) }];
    }
    const numbers = Array.from({ length: to - from + 1 }, (_, i) => from + i);
    const blocks = await Promise.all(numbers.map((n) => this.canonicalBlock(n)));
    if (blocks.some((block) => block === null)) return null;
    const logs = await client.getLogs({ address, fromBlock: BigInt(from), toBlock: BigInt(to) });
    if ((await this.canonicalBlock(to))?.hash !== blocks.at(-1)!.hash) return null;
    const logsByBlock = new Map<number, Log[]>();
    for (const log of logs) {
      const block = blocks[Number(log.blockNumber) - from]!;
      if (log.blockHash !== block.hash) return null;
      logsByBlock.set(Number(log.blockNumber), [...(logsByBlock.get(Number(log.blockNumber)) ?? []), log]);
    }
    return blocks.map((block) => ({ block: block!, logs: logsByBlock.get(Number(block!.number)) ?? [] }));
  }

  private async ingest(block: ChainBlock, logs: Log[]): Promise<BlockId> {
    const { store, addresses, metrics, logger } = this.options;
    const rows: IngestedBlock = {
      number: Number(block.number),
      hash: block.hash,
      parentHash: block.parentHash,
      ...decodeHostLogs(logs, addresses),
    };
    await store.ingestBlock(rows);
    metrics.blocksIngested.inc();
    if (rows.computations.length + rows.allowed.length + rows.delegations.length > 0) {
      logger.info(
        {
          block: rows.number,
          computations: rows.computations.length,
          allowed: rows.allowed.length,
          delegations: rows.delegations.length,
        },
        'block ingested',
      );
    }
    if (rows.number > this.highest) {
      this.highest = rows.number;
      this.lastProgressAt = Date.now();
    }
    this.options.onBlock?.(rows);
    return { number: rows.number, hash: rows.hash };
  }

  /** Whether our recorded block `number` is still on the chain (`beyondHead`: the chain got shorter). */
  private async isCanonical(number: number, beyondHead: boolean): Promise<boolean> {
    if (beyondHead) return false;
    const recorded = await this.options.store.getBlock(number);
    if (!recorded) return true; // before our start block: nothing of ours to compare
    return (await this.canonicalBlock(number))?.hash === recorded.hash;
  }

  /** Rolls back to the newest recorded block at or below `from` that is still canonical. */
  private async rollBackReorg(from: number): Promise<BlockId | null> {
    const { store, logger } = this.options;
    const ingestedUpTo = (await store.getCursor())?.number ?? -1;
    for (let number = from; number >= this.startBlock; number--) {
      const recorded = await store.getBlock(number);
      if (!recorded) {
        throw new FhekitError(
          'FHE_REORG_TOO_DEEP',
          `Host-chain reorg deeper than the recorded blocks (at ${number}).`,
          {
            hint: 'Restart the coprocessor with a fresh state directory to re-ingest the chain.',
          },
        );
      }
      if ((await this.canonicalBlock(number))?.hash === recorded.hash) {
        const dropped = await store.rollbackAfter(number);
        logger.warn({ forkPoint: number, dropped }, 'host-chain reorg: rolled back dropped blocks');
        this.reportRollback(ingestedUpTo, number, dropped);
        return { number, hash: recorded.hash };
      }
    }
    const dropped = await store.rollbackAfter(-1);
    logger.warn({ forkPoint: this.startBlock - 1, dropped }, 'host-chain reorg down to the start block');
    this.reportRollback(ingestedUpTo, this.startBlock - 1, dropped);
    return null;
  }

  private reportRollback(fromBlock: number, toBlock: number, dropped: RollbackSummary): void {
    if (dropped.blocks === 0) return;
    this.options.onRollback?.({ at: new Date().toISOString(), fromBlock, toBlock, dropped });
  }

  private async canonicalBlock(number: number): Promise<ChainBlock | null> {
    try {
      return await this.options.client.getBlock({ blockNumber: BigInt(number) });
    } catch (error) {
      if (error instanceof Error && error.name === 'BlockNotFoundError') return null;
      throw error;
    }
  }
}
