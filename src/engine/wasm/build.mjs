// Compiles the AssemblyScript blind-rotation kernel to blind-rotate.wasm, next to this script and in
// dist/engine/wasm/ (tsc does not copy non-TS files). Usage: node src/engine/wasm/build.mjs [--check]
// --check writes nothing and fails if the committed src/engine/wasm/blind-rotate.wasm is stale.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import asc from 'assemblyscript/asc';

const here = new URL('./', import.meta.url);
const source = await readFile(new URL('blind-rotate.as', here), 'utf8');

const { error, binary, stderr } = await asc.compileString(
  { 'blind-rotate.ts': source },
  {
    optimizeLevel: 3,
    shrinkLevel: 0,
    noAssert: true,
    runtime: 'stub',
    enable: ['simd', 'threads'],
    // Imported shared memory lets worker threads instantiate the kernel over one Fourier BSK.
    importMemory: true,
    sharedMemory: true,
    initialMemory: 1,
    maximumMemory: 65536,
  },
);
if (error || !binary) {
  process.stderr.write(stderr.toString());
  throw error ?? new Error('asc produced no binary');
}

const committed = new URL('blind-rotate.wasm', here);
if (process.argv.includes('--check')) {
  const current = await readFile(committed).catch(() => new Uint8Array());
  if (Buffer.compare(current, binary) !== 0) {
    console.error('blind-rotate.wasm is stale: run node src/engine/wasm/build.mjs and commit it');
    process.exit(1);
  }
  console.log('blind-rotate.wasm is up to date');
} else {
  for (const output of [committed, new URL('../../../dist/engine/wasm/blind-rotate.wasm', here)]) {
    await mkdir(new URL('./', output), { recursive: true });
    await writeFile(output, binary);
  }
  console.log(`blind-rotate.wasm: ${binary.length} bytes`);
}
