import type { Block } from '../block.js';
import { BLOCK_SPACE, MESSAGE_MAX, PARAMS } from '../params.js';
import type { BootstrapJob, Bootstrapper } from '../pbs/bootstrap.js';
import { bivariateLutOf, type Lut, lutOf } from '../pbs/lut.js';
import { addBlocks, scaleBlock } from './block-ops.js';

/**
 * Which carry-propagation / comparison algorithm the radix ops use: `auto` picks, per op, the one with
 * the lower modelled latency on the bootstrapper's thread count (see schedule.ts); the others force one
 * (tests cover both whatever the machine, benchmarks compare them).
 */
export type AlgorithmChoice = 'auto' | 'sequential' | 'parallel';

/** A block through f, or through f and g (one rotation while the block is below 8, as `mapPair`). */
export interface BlockJob {
  block: Block;
  f: (x: number) => number;
  g?: (x: number) => number;
}

export interface BlockEvaluatorOptions {
  algorithm?: AlgorithmChoice;
}

/**
 * Programmable bootstraps on blocks, with tfhe-rs degree / noise-level bookkeeping: every PBS input
 * must keep value < 16 (padding bit clear) and noise level ≤ max_noise_level; outputs are fresh
 * (noise level 1) with degree = the largest LUT output over the input's possible values.
 */
export class BlockEvaluator {
  readonly algorithm: AlgorithmChoice;
  /**
   * Bootstrap rounds issued so far (the depth): a batch of independent bootstraps is one round, a lone
   * bootstrap too. An op's depth is the difference across it.
   */
  rounds = 0;
  /** While set, the width (bootstraps) of every round issued: what the latency model needs. */
  roundWidths: number[] | undefined;

  constructor(
    readonly bootstrapper: Bootstrapper,
    options: BlockEvaluatorOptions = {},
  ) {
    this.algorithm = options.algorithm ?? 'auto';
  }

  /** Threads that run one batch's bootstraps side by side. */
  get threads(): number {
    return this.bootstrapper.threads;
  }

  /** f(block) by one PBS. */
  map(block: Block, f: (x: number) => number): Block {
    const lut = lutOf(f);
    this.checkInput(block);
    this.countRound(1);
    return {
      lwe: this.bootstrapper.bootstrap(block.lwe, lut),
      degree: degreeOf(lut, block.degree),
      noiseLevel: 1,
    };
  }

  /** f(block) and g(block) from one blind rotation; needs block value < 8. */
  mapPair(block: Block, f: (x: number) => number, g: (x: number) => number): [Block, Block] {
    if (block.degree >= BLOCK_SPACE / 2) return [this.map(block, f), this.map(block, g)];
    this.checkInput(block);
    const half = BLOCK_SPACE / 2;
    const lut = lutOf((x) => (x < half ? f(x) : g(x - half)));
    this.countRound(1);
    const [fx, gx] = this.bootstrapper.bootstrapPair(block.lwe, lut);
    return [
      { lwe: fx, degree: degreeOf(lutOf(f), block.degree), noiseLevel: 1 },
      { lwe: gx, degree: degreeOf(lutOf(g), block.degree), noiseLevel: 1 },
    ];
  }

  /** f(hi, lo) of two clean blocks packed as 4·hi + lo (one PBS). */
  map2(hi: Block, lo: Block, f: (hi: number, lo: number) => number): Block {
    if (hi.degree > MESSAGE_MAX || lo.degree > MESSAGE_MAX) {
      throw new RangeError(`bivariate PBS needs carry-free blocks (degrees ${hi.degree}, ${lo.degree})`);
    }
    hi = this.clean(hi, 1);
    lo = this.clean(lo, PARAMS.maxNoiseLevel - PARAMS.messageModulus * hi.noiseLevel);
    const input = addBlocks(scaleBlock(hi, PARAMS.messageModulus), lo);
    this.checkInput(input);
    let degree = 0;
    for (let h = 0; h <= hi.degree; h++)
      for (let l = 0; l <= lo.degree; l++) degree = Math.max(degree, f(h, l));
    this.countRound(1);
    return { lwe: this.bootstrapper.bootstrap(input.lwe, bivariateLutOf(f)), degree, noiseLevel: 1 };
  }

  /** f_i(block_i) for every i: independent bootstraps in one batch (spread over a worker pool's threads). */
  mapMany(blocks: readonly Block[], fs: readonly ((x: number) => number)[]): Block[] {
    return this.mapJobs(blocks.map((block, i) => ({ block, f: fs[i]! }))).map(([out]) => out!);
  }

  /** Every job in one batch: [f(block)], or [f(block), g(block)] for a job with g. */
  mapJobs(jobs: readonly BlockJob[]): Block[][] {
    const half = BLOCK_SPACE / 2;
    const bootstraps: BootstrapJob[] = [];
    for (const { block, f, g } of jobs) {
      this.checkInput(block);
      if (g && block.degree < half) {
        bootstraps.push({ input: block.lwe, lut: lutOf((x) => (x < half ? f(x) : g(x - half))), pair: true });
      } else {
        bootstraps.push({ input: block.lwe, lut: lutOf(f) });
        if (g) bootstraps.push({ input: block.lwe, lut: lutOf(g) });
      }
    }
    if (bootstraps.length > 0) this.countRound(bootstraps.length);
    const outputs = this.bootstrapper.bootstrapJobs(bootstraps);
    let next = 0;
    return jobs.map(({ block, f, g }) => {
      const fresh = (lwe: BigUint64Array, h: (x: number) => number): Block => ({
        lwe,
        degree: degreeOf(lutOf(h), block.degree),
        noiseLevel: 1,
      });
      const out = outputs[next++]!;
      if (!g) return [fresh(out[0]!, f)];
      if (out.length === 2) return [fresh(out[0]!, f), fresh(out[1]!, g)];
      return [fresh(out[0]!, f), fresh(outputs[next++]![0]!, g)];
    });
  }

  /** map2 of every (hi, lo) pair with f_i: one batch of cleaning bootstraps if needed, then one of bivariate ones. */
  map2Many(
    pairs: readonly (readonly [Block, Block])[],
    fs: readonly ((hi: number, lo: number) => number)[],
  ): Block[] {
    for (const [hi, lo] of pairs) {
      if (hi.degree > MESSAGE_MAX || lo.degree > MESSAGE_MAX) {
        throw new RangeError(`bivariate PBS needs carry-free blocks (degrees ${hi.degree}, ${lo.degree})`);
      }
    }
    const his = this.cleanMany(
      pairs.map(([hi]) => hi),
      () => 1,
    );
    const los = this.cleanMany(
      pairs.map(([, lo]) => lo),
      (i) => PARAMS.maxNoiseLevel - PARAMS.messageModulus * his[i]!.noiseLevel,
    );
    const inputs = his.map((hi, i) => addBlocks(scaleBlock(hi, PARAMS.messageModulus), los[i]!));
    const out = this.mapMany(
      inputs,
      fs.map((f) => (x: number) => f(x >> 2, x & 3)),
    );
    // Degree over the operands' own ranges (tighter than over the packed input's).
    return out.map((block, i) => {
      let degree = 0;
      for (let h = 0; h <= his[i]!.degree; h++)
        for (let l = 0; l <= los[i]!.degree; l++) degree = Math.max(degree, fs[i]!(h, l));
      return { ...block, degree };
    });
  }

  /** Refreshes a carry-free block whose noise level exceeds `maxNoise` (identity PBS). */
  clean(block: Block, maxNoise: number = 1): Block {
    if (block.degree > MESSAGE_MAX) throw new RangeError(`cannot clean block of degree ${block.degree}`);
    if (block.noiseLevel <= maxNoise) return block;
    return this.map(block, (x) => x);
  }

  /** clean() of each block to maxNoise(i), the refreshes as one batch; a block repeated is refreshed once. */
  private cleanMany(blocks: readonly Block[], maxNoise: (i: number) => number): Block[] {
    const dirty = [...new Set(blocks.filter((b, i) => b.noiseLevel > maxNoise(i)))];
    if (dirty.length === 0) return [...blocks];
    const clean = new Map(
      this.mapMany(
        dirty,
        dirty.map(() => (x: number) => x),
      ).map((c, i) => [dirty[i]!, c]),
    );
    return blocks.map((b, i) => (b.noiseLevel > maxNoise(i) ? clean.get(b)! : b));
  }

  /** Blind rotation of an already switched LWE (oblivious randomness), one round of its own. */
  rotateSwitched(mask: Uint32Array, body: number, bodyHigh: Uint32Array): BigUint64Array {
    this.countRound(1);
    return this.bootstrapper.rotateSwitched(mask, body, bodyHigh);
  }

  private countRound(width: number): void {
    this.rounds++;
    this.roundWidths?.push(width);
  }

  private checkInput(block: Block): void {
    if (block.degree >= BLOCK_SPACE)
      throw new RangeError(`PBS input degree ${block.degree} reaches the padding bit`);
    if (block.noiseLevel > PARAMS.maxNoiseLevel) {
      throw new RangeError(`PBS input noise level ${block.noiseLevel} exceeds ${PARAMS.maxNoiseLevel}`);
    }
  }
}

function degreeOf(lut: Lut, inputDegree: number): number {
  let degree = 0;
  for (let x = 0; x <= inputDegree; x++) degree = Math.max(degree, lut.table[x]!);
  return degree;
}
