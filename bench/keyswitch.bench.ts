/**
 * Keyswitch micro-benchmark with the real keys (.cache/test-keys or FHE_KEYS_DIR), one thread:
 * keyswitch + modulus switch (2048 -> 918, level 4, base 16) in WebAssembly SIMD vs TypeScript, then one
 * full KS+PBS with each keyswitch (wasm blind rotation in both), next to node-tfhe's own wasm KS+PBS
 * measured in the same run (the marginal cost per block of `CompactCiphertextList.expand()`, u16 vs u8).
 * CPU times are the figure to compare on a shared machine.
 * Usage: npx tsx bench/keyswitch.bench.ts [--runs 40] [--pbs-runs 10] [--skip-tfhe]
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  CompactCiphertextList,
  set_server_key,
  TfheClientKey,
  TfheCompactPublicKey,
  TfheServerKey,
} from 'node-tfhe';
import { decodeValue } from '../src/engine/codec/ciphertext-codec.js';
import { loadEvaluationKeys } from '../src/engine/evaluation-keys.js';
import { limbView } from '../src/engine/math/torus.js';
import { PARAMS } from '../src/engine/params.js';
import { Bootstrapper } from '../src/engine/pbs/bootstrap.js';
import { createTypeScriptKeyswitcher, type KeyswitcherFactory } from '../src/engine/pbs/keyswitch-kernel.js';
import { lutOf } from '../src/engine/pbs/lut.js';
import { createWasmKeyswitcher } from '../src/engine/wasm/wasm-keyswitcher.js';
import { FheType } from '../src/fhevm/fhe-types.js';
import { SERIALIZATION_LIMIT } from '../src/fhevm/limits.js';
import { encryptWithClientKey } from '../src/tfhe/client-ciphertexts.js';

const { values: options } = parseArgs({
  options: {
    runs: { type: 'string', default: '40' },
    'pbs-runs': { type: 'string', default: '10' },
    'skip-tfhe': { type: 'boolean', default: false },
  },
});

const keysDir = process.env.FHE_KEYS_DIR ?? join(import.meta.dirname, '..', '.cache', 'test-keys');
const clientKey = TfheClientKey.safe_deserialize(
  readFileSync(join(keysDir, 'client-key.bin')),
  SERIALIZATION_LIMIT,
);
const keys = loadEvaluationKeys(readFileSync(join(keysDir, 'eval-keys.bin')));
const block = decodeValue(encryptWithClientKey(FheType.Uint8, 77n, clientKey)).blocks[0]!.lwe;

interface Sample {
  wallMs: number;
  cpuMs: number;
}

/** Wall and CPU time of one call of `work`, after two warm-up calls (V8 tier-up). */
function samples(work: () => void, runs: number): Sample[] {
  work();
  work();
  return Array.from({ length: runs }, () => {
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    work();
    const wallMs = performance.now() - start;
    const cpu = process.cpuUsage(cpuStart);
    return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

function row(what: string, measured: Sample[]) {
  const wall = measured.map((s) => s.wallMs);
  return {
    what,
    'CPU ms (median)': median(measured.map((s) => s.cpuMs)).toFixed(2),
    'wall ms (median)': median(wall).toFixed(2),
    'wall ms (min)': Math.min(...wall).toFixed(2),
    runs: measured.length,
  };
}

function keyswitchRow(label: string, factory: KeyswitcherFactory, runs: number) {
  const keyswitcher = factory(keys.keyswitchKey);
  const input = limbView(block);
  const mask = new Uint32Array(PARAMS.smallDimension);
  return row(
    `keyswitch + modulus switch, ${label}`,
    samples(() => keyswitcher.run(input, mask), runs),
  );
}

function pbsRow(label: string, factory: KeyswitcherFactory, runs: number) {
  const bootstrapper = new Bootstrapper(keys, undefined, factory);
  const lut = lutOf((x) => (x + 1) % 4);
  return row(
    `KS+PBS, ${label} keyswitch + wasm rotation`,
    samples(() => bootstrapper.bootstrap(block, lut), runs),
  );
}

/** node-tfhe has no PBS API: (expand of a u16 − expand of a u8) / 4 is one block's keyswitch + PBS. */
function nodeTfheRow(runs: number) {
  set_server_key(TfheServerKey.new(clientKey));
  const publicKey = TfheCompactPublicKey.new(clientKey);
  const expandSample = (push: (builder: ReturnType<typeof CompactCiphertextList.builder>) => void) => {
    const builder = CompactCiphertextList.builder(publicKey);
    push(builder);
    const list = builder.build();
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    list.expand();
    const cpu = process.cpuUsage(cpuStart);
    return { wallMs: performance.now() - start, cpuMs: (cpu.user + cpu.system) / 1000 };
  };
  const measured = Array.from({ length: runs }, (_, run) => {
    const small = expandSample((b) => b.push_u8(run));
    const large = expandSample((b) => b.push_u16(run * 257));
    return { wallMs: (large.wallMs - small.wallMs) / 4, cpuMs: (large.cpuMs - small.cpuMs) / 4 };
  });
  const { version } = createRequire(import.meta.url)('node-tfhe/package.json') as { version: string };
  return row(`KS+PBS, node-tfhe ${version} wasm (expand u16 − u8) / 4`, measured);
}

const runs = Number(options.runs);
const pbsRuns = Number(options['pbs-runs']);
console.log(`real keys, 1 thread, Node ${process.version}, ${cpus()[0]?.model}`);
console.table([
  keyswitchRow('wasm SIMD', createWasmKeyswitcher, runs),
  keyswitchRow('TypeScript', createTypeScriptKeyswitcher, Math.ceil(runs / 4)),
  pbsRow('wasm', createWasmKeyswitcher, pbsRuns),
  pbsRow('TypeScript', createTypeScriptKeyswitcher, pbsRuns),
  ...(options['skip-tfhe'] ? [] : [nodeTfheRow(2)]),
]);
