import { writeFileSync } from 'node:fs';
import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { keysDirFlag, stateDirFlag } from '../cli/stack-flags.js';
import { SHELL_VERBS, type ShellVerb, shellCompute } from '../compute/shell-compute.js';
import { parseShellOperand } from '../compute/shell-operands.js';
import { nameOf, parseFheType } from '../fhevm/fhe-types.js';

export default class Compute extends BaseCommand {
  static override summary =
    'Run one FHE operation from the shell: encrypt, compute with the fhekit engine, decrypt.';
  static override description =
    `Operands are integers (42, 0xff, true), ciphertext files written by \`fhe compute encrypt\`, or 32-byte handles stored by a running stack. Plaintext operands are encrypted with the keyset's client key first. The result ciphertext goes to --out (or to stdout when it is not a terminal); its decryption, and what the fhEVM's plaintext semantics give, are printed.

Verbs: ${SHELL_VERBS.join(', ')}.`;
  static override strict = false;
  static override enableJsonFlag = true;
  static override examples = [
    '<%= config.bin %> compute add --type euint8 3 5',
    '<%= config.bin %> compute encrypt --type euint32 42 > ct.bin',
    '<%= config.bin %> compute mul ct1.bin ct2.bin --out product.bin',
    '<%= config.bin %> compute shl ct.bin 3 --scalar',
    '<%= config.bin %> compute decrypt product.bin',
    '<%= config.bin %> compute decrypt 0x<handle from a running stack>',
  ];
  static override args = {
    verb: Args.string({
      required: true,
      options: SHELL_VERBS,
      description: 'encrypt, decrypt, or an fhEVM op.',
    }),
  };
  static override flags = {
    // Per-call flags have no FHE_* variable: a stray export would change every later command.
    type: Flags.string({ summary: 'Type of plaintext operands (ebool, euint8 … euint256, eaddress).' }),
    to: Flags.string({ summary: 'Target type of `cast`.' }),
    scalar: Flags.boolean({ summary: 'Use the last operand as a plaintext scalar.', default: false }),
    out: Flags.string({ summary: 'Write the result ciphertext to this file.' }),
    threads: Flags.integer({
      summary: 'Engine worker threads (default: number of cores).',
      env: 'FHE_THREADS',
    }),
    'keys-dir': keysDirFlag,
    'state-dir': stateDirFlag,
  };

  async run() {
    const { args, argv, flags } = await this.parse(Compute);
    const operands = (argv as string[]).slice(1);
    const result = await shellCompute({
      verb: args.verb as ShellVerb,
      operands,
      ...(flags.type ? { type: parseFheType(flags.type) } : {}),
      ...(flags.to ? { toType: parseFheType(flags.to) } : {}),
      scalar: flags.scalar,
      keysDir: flags['keys-dir'],
      stateDir: flags['state-dir'],
      ...(flags.threads === undefined ? {} : { threads: flags.threads }),
    });
    // Bytes go to stdout only when piped and the user dealt in ciphertexts (`encrypt`, or file/handle operands).
    const dealsInCiphertexts =
      args.verb === 'encrypt' || operands.some((o) => parseShellOperand(o).kind !== 'plain');
    const bytesToStdout =
      Boolean(result.ciphertext) &&
      !flags.out &&
      !process.stdout.isTTY &&
      !this.jsonEnabled() &&
      dealsInCiphertexts;
    if (result.ciphertext && flags.out) writeFileSync(flags.out, result.ciphertext);
    if (bytesToStdout) process.stdout.write(result.ciphertext!);
    const summary = {
      verb: result.verb,
      type: nameOf(result.type),
      value: result.value.toString(),
      ...(result.expected === undefined ? {} : { expected: result.expected.toString() }),
      computeMs: Math.round(result.computeMs),
      ...(result.kernel === undefined ? {} : { kernel: result.kernel }),
      ...(flags.out ? { out: flags.out } : {}),
    };
    // Human output goes to stderr when stdout carries the ciphertext bytes.
    const print = bytesToStdout
      ? (line: string) => process.stderr.write(`${line}\n`)
      : (line: string) => this.log(line);
    if (!this.jsonEnabled()) {
      const timing =
        result.computeMs > 0
          ? ` in ${(result.computeMs / 1000).toFixed(2)}s${result.kernel ? ` (${result.kernel} kernels)` : ''}`
          : '';
      const check = result.expected === undefined ? '' : ' (matches the plaintext semantics)';
      print(`${summary.type} ${summary.value}${check}${timing}`);
    }
    return summary;
  }
}
