import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { keysDirFlag, modeFlags, stateDirFlag } from '../cli/stack-flags.js';
import { connectToStack } from '../client/stack-client.js';
import { runSmokeTest, type SmokeResult, type SmokeSpan } from '../smoke/run-smoke-test.js';
import { smallTypeCases, wideTypeCases } from '../smoke/smoke-cases.js';
import { resolveSmokeTarget } from '../smoke/smoke-target.js';
import { modesText } from '../ui/stack-dashboard.js';

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** Spans in order of their start, as offsets from the first (phases that overlap ran at the same time). */
function profileRows(spans: readonly SmokeSpan[]): { label: string; startMs: number; ms: number }[] {
  const origin = Math.min(...spans.map((s) => s.start));
  return [...spans]
    .sort((a, b) => a.start - b.start)
    .map(({ label, start, ms }) => ({ label, startMs: Math.round(start - origin), ms: Math.round(ms) }));
}

function profileText(spans: readonly SmokeSpan[]): string {
  const rows = profileRows(spans).map(
    (r) => `${`+${seconds(r.startMs)}`.padStart(8)}${seconds(r.ms).padStart(8)}  ${r.label}`,
  );
  return ['', 'Where the time went (start, duration; overlapping phases ran at once):', ...rows].join('\n');
}

export default class SmokeTest extends BaseCommand {
  static override summary =
    'End-to-end check: encrypt, compute on-chain, decrypt, compare with plaintext semantics.';
  static override description =
    'Uses the stack given by --rpc-url/--api-url, else the one `fhe dev up` runs from --state-dir, else starts its own. Deploys the fixture contracts, encrypts inputs with @zama-fhe/relayer-sdk, runs every fhEVM op on ebool/euint8 (a sample on euint16) and an ERC-7984-style token transfer on euint64, decrypts, and prints a pass/fail table. Exits non-zero on any mismatch.';
  static override enableJsonFlag = true;
  static override examples = [
    '<%= config.bin %> smoke-test',
    '<%= config.bin %> smoke-test --wide',
    '<%= config.bin %> smoke-test --compute cleartext --inputs direct',
    '<%= config.bin %> smoke-test --compute parity',
  ];
  static override flags = {
    'rpc-url': Flags.string({
      summary: 'JSON-RPC URL of the stack’s chain.',
      env: 'FHE_RPC_URL',
      dependsOn: ['api-url'],
    }),
    'api-url': Flags.string({
      summary: 'Relayer API URL of the stack.',
      env: 'FHE_API_URL',
      dependsOn: ['rpc-url'],
    }),
    'state-dir': stateDirFlag,
    'keys-dir': keysDirFlag,
    ...modeFlags,
    wide: Flags.boolean({ summary: 'Add 32-bit and wider types (slow).', default: false, env: 'FHE_WIDE' }),
    profile: Flags.boolean({
      summary: 'Also print where the time went: stack start, connection, each phase of the run.',
      default: false,
      env: 'FHE_PROFILE',
    }),
    timeout: Flags.integer({
      summary: 'Seconds the coprocessor may take per value before a case fails.',
      default: 600,
      env: 'FHE_TIMEOUT',
    }),
  };

  async run() {
    const { flags } = await this.parse(SmokeTest);
    const json = this.jsonEnabled();
    const say = (line: string) => {
      if (!json) this.log(line);
    };
    const spans: SmokeSpan[] = [];
    const timed = async <T>(label: string, work: () => Promise<T>): Promise<T> => {
      const start = performance.now();
      try {
        return await work();
      } finally {
        spans.push({ label, start, ms: performance.now() - start });
      }
    };
    const target = await timed('find or start the stack', () =>
      resolveSmokeTarget({
        ...(flags['rpc-url'] ? { rpcUrl: flags['rpc-url'] } : {}),
        ...(flags['api-url'] ? { apiUrl: flags['api-url'] } : {}),
        stateDir: flags['state-dir'],
        keysDir: flags['keys-dir'],
        compute: flags.compute,
        inputs: flags.inputs,
        onStackProgress: (p) => {
          if (p.phase !== 'keys' && p.event === 'start') say(`… starting ${p.phase}`);
        },
      }),
    );
    say(
      `Smoke test against ${target.origin}${target.modes ? ` (${modesText(target.modes)})` : ''}: RPC ${target.rpcUrl}, relayer API ${target.apiUrl}`,
    );
    const started = performance.now();
    let results: SmokeResult[];
    try {
      const client = await timed('connect (SDK instance: keys, gateway domains)', () =>
        connectToStack({
          rpcUrl: target.rpcUrl,
          apiUrl: target.apiUrl,
          ...(target.apiToken === undefined ? {} : { apiToken: target.apiToken }),
        }),
      );
      results = await runSmokeTest(client, {
        cases: flags.wide ? [...smallTypeCases(), ...wideTypeCases()] : smallTypeCases(),
        token: true,
        timeoutMs: flags.timeout * 1000,
        inputs: flags.inputs,
        solcCacheDir: target.solcCacheDir,
        ...(target.parityMismatches ? { parityMismatches: target.parityMismatches } : {}),
        onProgress: (p) => {
          if (p.event === 'phase') say(`… ${p.label}`);
          if (p.event === 'span') spans.push(p.span);
          if (p.event === 'case-done') {
            const r = p.result;
            say(
              `${r.passed ? '✔' : '✘'} ${r.name.padEnd(44)} ${seconds(r.ms).padStart(7)}  ${r.passed ? r.actual : `expected ${r.expected}, got ${r.actual}`}`,
            );
          }
        },
      });
    } finally {
      await timed(target.origin === 'own stack' ? 'stop the stack' : 'release', () => target.release());
    }
    const failed = results.filter((r) => !r.passed);
    const totalMs = performance.now() - started;
    if (!json) {
      this.log('');
      this.log(
        `${'case'.padEnd(46)}${'expected'.padStart(22)}${'decrypted'.padStart(22)}${'time'.padStart(9)}  result`,
      );
      for (const r of results) {
        this.log(
          `${r.name.padEnd(46)}${r.expected.slice(0, 21).padStart(22)}${r.actual.slice(0, 21).padStart(22)}${seconds(r.ms).padStart(9)}  ${r.passed ? 'PASS' : 'FAIL'}`,
        );
      }
      this.log(`\n${results.length - failed.length}/${results.length} passed in ${seconds(totalMs)}.`);
      if (flags.profile) this.log(profileText(spans));
    }
    if (failed.length > 0) {
      this.error(`${failed.length} smoke case(s) failed: ${failed.map((r) => r.name).join(', ')}`, {
        exit: 1,
      });
    }
    return {
      passed: results.length,
      totalMs,
      results,
      ...(flags.profile ? { profile: profileRows(spans) } : {}),
    };
  }
}
