import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  files: string[];
  exports: Record<string, { types?: string; default?: string }>;
};

/**
 * Every source module `fhekit/hardhat` loads at run time (imports, and the worker modules started by
 * name), the packages they import, and the `.wasm` kernels next to them.
 */
function runtimeGraph(entry: string): { modules: string[]; packages: Set<string>; assets: string[] } {
  const modules = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (modules.has(file)) return;
    modules.add(file);
    const source = readFileSync(file, 'utf8');
    // Value imports and re-exports only: `import type` / `export type` vanish from the build.
    for (const [, typeOnly, specifier] of source.matchAll(
      /^(?:import|export)(\s+type\b)?(?:[\s\w*{},$]*?\sfrom)?\s*'([^']+)'/gm,
    )) {
      if (typeOnly || specifier === undefined) continue;
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
      else
        packages.add(
          specifier
            .split('/')
            .slice(0, specifier.startsWith('@') ? 2 : 1)
            .join('/'),
        );
    }
    for (const [, worker] of source.matchAll(/startModuleWorker\(import\.meta\.url, '([^']+)'/g)) {
      visit(join(dirname(file), `${worker}.ts`));
    }
  };
  visit(entry);
  const assets = [...new Set(modules)]
    .map((file) => dirname(file))
    .flatMap((dir) =>
      readdirSync(dir)
        .filter((name) => name.endsWith('.wasm'))
        .map((name) => join(dir, name)),
    );
  return { modules: [...modules], packages, assets: [...new Set(assets)] };
}

describe('the fhekit/hardhat package', () => {
  const graph = runtimeGraph(join(ROOT, 'src/hardhat/index.ts'));

  it('imports at run time only its dependencies and Node built-ins (a consumer has no devDependencies)', () => {
    const builtins = new Set(builtinModules);
    const foreign = [...graph.packages].filter(
      (name) => !name.startsWith('node:') && !builtins.has(name) && !(name in pkg.dependencies),
    );
    expect(foreign).toEqual([]);
  });

  it('ships the built entry and every module it loads (npm pack --dry-run)', () => {
    const entry = pkg.exports['./hardhat'];
    expect(entry?.default).toBe('./dist/hardhat/index.js');
    expect(entry?.types).toBe('./dist/hardhat/index.d.ts');
    const listing = JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
        cwd: ROOT,
        encoding: 'utf8',
      }),
    ) as [{ files: { path: string }[] }];
    const packed = new Set(listing[0].files.map((f) => f.path));
    expect(packed.has('package.json')).toBe(true);
    // dist/ exists only after `npm run build`; `files` must cover where each module lands.
    const shipped = (path: string) =>
      pkg.files.some((entry) => path === entry || path.startsWith(`${entry}/`));
    const expected = [...graph.modules, ...graph.assets].map((file) =>
      relative(ROOT, file)
        .replace(/^src\//, 'dist/')
        .replace(/\.ts$/, '.js'),
    );
    expect(expected.filter((path) => !shipped(path))).toEqual([]);
    const built = [...packed].some((path) => path.startsWith('dist/'));
    if (built) expect(expected.filter((path) => !packed.has(path))).toEqual([]);
  });
});
