import { type ChildProcess, spawn } from 'node:child_process';
import { packageRoot } from '../../src/chain/fixtures.js';

const FHE = new URL('../../bin/dev.js', import.meta.url).pathname;

/** `fhe coprocessor <service> …` as a child process (JSON logs on stdout), for multi-process tests. */
export class ServiceProcess {
  private constructor(
    readonly child: ChildProcess,
    readonly output: string[],
  ) {}

  /** Resolves once the service logged `readyLine`. */
  static async start(
    service: 'listener' | 'worker',
    args: string[],
    readyLine: string,
  ): Promise<ServiceProcess> {
    const child = spawn(process.execPath, [FHE, 'coprocessor', service, ...args], {
      cwd: packageRoot(),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FHE_DATABASE_URL: '' },
    });
    const output: string[] = [];
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        output.push(chunk.toString());
        if (output.join('').includes(readyLine)) resolve();
      });
      child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
      child.once('exit', (code, signal) =>
        reject(new Error(`${service} exited before starting (${code ?? signal}):\n${output.join('')}`)),
      );
    });
    return new ServiceProcess(child, output);
  }

  /** SIGKILL: no chance to release leases or finish a transaction, like a crash. */
  async kill9(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGKILL');
    await exited;
  }

  /** SIGSTOP / SIGCONT: holds the process still, so what it has claimed stays unfinished while a test looks. */
  freeze(): void {
    this.child.kill('SIGSTOP');
  }

  thaw(): void {
    this.child.kill('SIGCONT');
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<number | null>((resolve) => this.child.once('exit', (code) => resolve(code)));
    this.child.kill('SIGTERM');
    const code = await exited;
    if (code !== 0) throw new Error(`service exited with ${code}:\n${this.output.join('')}`);
  }
}
