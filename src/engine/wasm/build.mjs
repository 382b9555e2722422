// Compiles the AssemblyScript kernels (blind-rotate.as, keyswitch.as) to .wasm files next to this script
// and in dist/engine/wasm/ (tsc does not copy non-TS files). Usage: node src/engine/wasm/build.mjs [--check]
// --check writes nothing and fails if a committed src/engine/wasm/*.wasm is stale.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import asc from 'assemblyscript/asc';

const here = new URL('./', import.meta.url);
const KERNELS = ['blind-rotate', 'keyswitch'];

async function compile(name) {
  const source = await readFile(new URL(`${name}.as`, here), 'utf8');
  const { error, binary, stderr } = await asc.compileString(
    { [`${name}.ts`]: source },
    {
      optimizeLevel: 3,
      shrinkLevel: 0,
      noAssert: true,
      runtime: 'stub',
      enable: ['simd', 'threads'],
      // Imported shared memory lets worker threads instantiate a kernel over one key (Fourier BSK, KSK).
      importMemory: true,
      sharedMemory: true,
      initialMemory: 1,
      maximumMemory: 65536,
    },
  );
  if (error || !binary) {
    process.stderr.write(stderr.toString());
    throw error ?? new Error(`asc produced no binary for ${name}`);
  }
  return binary;
}

const check = process.argv.includes('--check');
let stale = false;
for (const name of KERNELS) {
  const binary = await compile(name);
  const committed = new URL(`${name}.wasm`, here);
  if (check) {
    const current = await readFile(committed).catch(() => new Uint8Array());
    if (Buffer.compare(current, binary) !== 0) {
      console.error(`${name}.wasm is stale: run node src/engine/wasm/build.mjs and commit it`);
      stale = true;
    } else {
      console.log(`${name}.wasm is up to date`);
    }
  } else {
    for (const output of [committed, new URL(`../../../dist/engine/wasm/${name}.wasm`, here)]) {
      await mkdir(new URL('./', output), { recursive: true });
      await writeFile(output, binary);
    }
    console.log(`${name}.wasm: ${binary.length} bytes`);
  }
}
if (stale) process.exit(1);
