import { Box, render, Text } from 'ink';
import type { CoprocessorStatus } from '../coprocessor/coprocessor.js';
import type { ChainRollback } from '../coprocessor/listener.js';
import type { StackModes, StackStatus } from '../stack/start-stack.js';
import type { FailureSummary, TransactionSummary } from '../trace/overview.js';
import { formatMs, shortHex } from './trace-text.js';

function formatUptime(seconds: number): string {
  const s = Math.floor(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(s % 60).padStart(2, '0')}s`;
}

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <Text>
      <Text color="gray">{label.padEnd(14)}</Text>
      {children}
    </Text>
  );
}

const count = (n: number) => n.toLocaleString('en-US');
const STATUS_COLOR = { done: 'green', pending: 'yellow', error: 'red' } as const;

function RecentTransactions({ recent }: { recent: readonly TransactionSummary[] }) {
  if (recent.length === 0) return <Text color="gray">no FHE transaction yet</Text>;
  return (
    <Box flexDirection="column">
      {recent.map((tx) => (
        <Box key={tx.txHash} flexDirection="column">
          <Text>
            {shortHex(tx.txHash)} <Text color="gray">block {tx.blockNumber}</Text> {tx.ops} FHE ops · HCU{' '}
            {count(tx.hcu)} · depth {count(tx.hcuDepth)} ·{' '}
            <Text color={STATUS_COLOR[tx.status]}>{tx.status}</Text> · {formatMs(tx.computeMs)}
          </Text>
          {tx.warnings.map((w) => (
            <Text key={w.limit} color="yellow">
              {'  '}⚠ {w.limit === 'hcu' ? 'HCU' : 'HCU depth'} at {Math.round((100 * w.used) / w.max)}% of
              the per-transaction limit: {w.dominantOps.join(', ')}
            </Text>
          ))}
        </Box>
      ))}
    </Box>
  );
}

function Failures({ failures }: { failures: readonly FailureSummary[] }) {
  return (
    <Box flexDirection="column">
      {failures.map((f) => (
        <Text key={`${f.handle}${f.txHash}`} color="red">
          {shortHex(f.txHash)} {f.op} {f.resultType} {shortHex(f.handle)}: {f.error}
        </Text>
      ))}
    </Box>
  );
}

/** The live dashboard of `fhe dev up` (exported for its rendering test). */
export function Dashboard({ status }: { status: StackStatus }) {
  const c = status.coprocessor;
  const lag = c.lagBlocks ?? 0;
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="cyan" paddingX={1}>
      <Text bold>
        fhekit dev stack <Text color="gray">— up {formatUptime(c.uptimeSeconds)}, Ctrl-C to stop</Text>
      </Text>
      <Row label="Modes">
        {modesText(status.modes, status.kernel)}
        {status.modes.compute === 'real' ? null : (
          <Text color="gray"> · {c.cleartextHandles} handles computed in cleartext</Text>
        )}
      </Row>
      {status.modes.compute === 'parity' || c.parityMismatches > 0 ? (
        <Row label="Parity">
          {c.parityMismatches === 0 ? (
            <Text color="green">0 mismatches: every engine result matched the plaintext semantics</Text>
          ) : (
            <Text bold color="red">
              {c.parityMismatches} MISMATCH{c.parityMismatches === 1 ? '' : 'ES'}
              {c.lastParityMismatch ? ` · last: ${mismatchText(c.lastParityMismatch)}` : ''}
            </Text>
          )}
        </Row>
      ) : null}
      <Row label="Chain RPC">
        {status.rpcUrl} <Text color="gray">chain {status.chainId}</Text> block {c.cursor?.block ?? '–'}
        {lag > 0 ? <Text color="yellow"> (lag {lag})</Text> : null}
      </Row>
      <Row label="Relayer API">
        {status.apiUrl} <Text color="gray">(relayerUrl for @zama-fhe/relayer-sdk)</Text>
      </Row>
      <Row label="Web UI">
        {status.apiUrl}/ui <Text color="gray">(asks for the token in {'<state-dir>'}/api-token)</Text>
      </Row>
      <Row label="Metrics">{status.metricsUrl}</Row>
      <Row label="ACL">{status.addresses.acl}</Row>
      <Row label="Executor">{status.addresses.executor}</Row>
      <Row label="InputVerifier">{status.addresses.inputVerifier}</Row>
      <Row label="KMSVerifier">{status.addresses.kmsVerifier}</Row>
      <Text> </Text>
      <Row label="Computations">
        <Text color="yellow">{c.computations.pending} pending</Text> ({c.computations.ready} ready,{' '}
        {c.computations.inFlight} running) <Text color="green">{c.computations.done} done</Text>{' '}
        <Text color={c.computations.error > 0 ? 'red' : 'gray'}>{c.computations.error} failed</Text>
      </Row>
      <Row label="Ciphertexts">
        {c.ciphertexts} <Text color="gray">· {c.allowedHandles} ACL grants</Text>
      </Row>
      {c.lastRollback ? (
        <Row label="Chain rollback">
          <Text color="red">{rollbackText(c.lastRollback)}</Text>
        </Row>
      ) : null}
      <Row label="Throughput">
        {c.opsPerSecond.toFixed(2)} ops/s
        {c.pbsPerSecond === null ? null : <Text> · {c.pbsPerSecond.toFixed(1)} PBS/s</Text>}
        <Text color="gray"> · {c.concurrency} worker slots</Text>
      </Row>
      <Text> </Text>
      <Text bold>
        Recent transactions <Text color="gray">(`fhe trace --last 1` for the graph)</Text>
      </Text>
      <RecentTransactions recent={status.transactions.recent} />
      {status.transactions.failures.length > 0 ? (
        <>
          <Text bold color="red">
            Failed computations
          </Text>
          <Failures failures={status.transactions.failures} />
        </>
      ) : null}
    </Box>
  );
}

export interface StatusView {
  update(status: StackStatus): void;
  stop(): void;
}

/** The live terminal dashboard of `fhe dev up`. */
export function renderDashboard(status: StackStatus): StatusView {
  const app = render(<Dashboard status={status} />);
  return {
    update: (next) => app.rerender(<Dashboard status={next} />),
    stop: () => app.unmount(),
  };
}

/** The last time the chain went back under ingested blocks, e.g. anvil restarted from an older state. */
export function rollbackText(r: ChainRollback): string {
  return `chain went back from block ${r.fromBlock} to ${r.toBlock} at ${r.at}: ${r.dropped.blocks} blocks, ${r.dropped.computations} computations, ${r.dropped.ciphertexts} ciphertexts dropped`;
}

/** `compute real (native-avx512f kernels) · inputs proven`. */
export function modesText(modes: StackModes, kernel?: string): string {
  return `compute ${modes.compute}${kernel ? ` (${kernel} kernels)` : ''} · inputs ${modes.inputs}`;
}

/** What the compute modes left in the store: `fhe dev status` always says it. */
export function modeCountsText(c: CoprocessorStatus): string {
  const last = c.lastParityMismatch ? ` (last: ${mismatchText(c.lastParityMismatch)})` : '';
  return `${c.cleartextHandles} handles computed in cleartext · ${c.parityMismatches} parity mismatches${last}`;
}

function mismatchText(m: NonNullable<CoprocessorStatus['lastParityMismatch']>): string {
  return `${m.op} ${m.type} ${m.handle} engine ${m.actual}, expected ${m.expected}`;
}

/** One line per change, for CI logs and pipes. */
export function statusLine(c: CoprocessorStatus): string {
  return [
    `block ${c.cursor?.block ?? '-'}${c.lagBlocks ? ` (lag ${c.lagBlocks})` : ''}`,
    `computations pending ${c.computations.pending} running ${c.computations.inFlight} done ${c.computations.done} failed ${c.computations.error}`,
    `ciphertexts ${c.ciphertexts}${c.cleartextHandles > 0 ? ` (${c.cleartextHandles} computed in cleartext)` : ''}`,
    ...(c.parityMismatches > 0 ? [`PARITY MISMATCHES ${c.parityMismatches}`] : []),
    `${c.opsPerSecond.toFixed(2)} ops/s${c.pbsPerSecond === null ? '' : ` ${c.pbsPerSecond.toFixed(1)} PBS/s`}`,
    ...(c.lastRollback ? [`last rollback: ${rollbackText(c.lastRollback)}`] : []),
  ].join(' | ');
}
