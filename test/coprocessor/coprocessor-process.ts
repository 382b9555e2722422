import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../../src/chain/fixtures.js';
import type { ChainHandle } from '../../src/chain/start-chain.js';

const ENTRY = join(packageRoot(), 'src', 'coprocessor', 'run-coprocessor.ts');

/** The coprocessor as a child process (`run-coprocessor.ts` via tsx), for crash tests. */
export class CoprocessorProcess {
  private constructor(
    readonly child: ChildProcess,
    readonly output: string[],
  ) {}

  static async start(
    chain: ChainHandle,
    dbPath: string,
    extraArgs: string[] = [],
  ): Promise<CoprocessorProcess> {
    const args = ['--db', dbPath, '--rpc', chain.rpcUrl, '--acl', chain.addresses.acl];
    args.push('--executor', chain.addresses.executor, ...extraArgs);
    const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, ...args], {
      cwd: packageRoot(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    const started = new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output.push(chunk.toString());
        if (chunk.toString().includes('coprocessor started')) resolve();
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
      child.once('exit', (code, signal) =>
        reject(new Error(`coprocessor exited before starting (${code ?? signal}):\n${output.join('')}`)),
      );
    });
    await started;
    return new CoprocessorProcess(child, output);
  }

  /** SIGKILL: no chance to clean up, like a crash or a power cut of the process. */
  async kill9(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<number | null>((resolve) => this.child.once('exit', (code) => resolve(code)));
    this.child.kill('SIGTERM');
    const code = await exited;
    if (code !== 0) throw new Error(`coprocessor exited with ${code}:\n${this.output.join('')}`);
  }
}
