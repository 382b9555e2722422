// Builds the native PBS kernel (native/build/Release/fhekit_native.node) with node-gyp. Run by
// `npm install` / `npm ci` (package.json "install") and by `npm run build:native`. It never fails: when the
// build or the load check fails it prints one line and exits 0, and the engine uses its wasm kernels.
// node-gyp is the one npm ships (npm_config_node_gyp while npm runs scripts, else next to npm's own
// files). The Node headers come from npm_config_nodedir when set, else from the running Node's own
// prefix (include/node), so no download is needed.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const addon = join(here, 'build', 'Release', 'fhekit_native.node');

function nodeGypPath() {
  const candidates = [process.env.npm_config_node_gyp];
  for (const npmFile of [
    process.env.npm_execpath,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'index.js'),
  ]) {
    if (!npmFile) continue;
    try {
      candidates.push(createRequire(npmFile).resolve('node-gyp/bin/node-gyp.js'));
    } catch {
      // not an npm install layout; try the next one
    }
  }
  return candidates.find((path) => path && existsSync(path));
}

function headersArgs() {
  if (process.env.npm_config_nodedir) return [`--nodedir=${process.env.npm_config_nodedir}`];
  const prefix = join(dirname(process.execPath), '..');
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? [`--nodedir=${prefix}`] : [];
}

function fail(reason) {
  console.log(`fhekit: native kernel not built (${reason}); the WebAssembly kernels will be used.`);
  process.exit(0);
}

const gyp = nodeGypPath();
if (!gyp) fail('node-gyp not found');
const build = spawnSync(process.execPath, [gyp, 'rebuild', ...headersArgs()], {
  cwd: here,
  encoding: 'utf8',
  timeout: 300_000,
});
if (build.status !== 0) {
  const lines = `${build.stderr ?? ''}${build.error?.message ?? ''}`
    .split('\n')
    .filter((l) => /error/i.test(l));
  fail(lines[0]?.trim().slice(0, 200) || `node-gyp exited with ${build.status ?? build.signal}`);
}
const check = spawnSync(
  process.execPath,
  ['-e', `process.stdout.write(require(${JSON.stringify(addon)}).kernel())`],
  {
    encoding: 'utf8',
  },
);
if (check.status !== 0) fail(`built but does not load: ${check.stderr.split('\n')[0]}`);
console.log(`fhekit: native kernel built (${check.stdout}).`);
