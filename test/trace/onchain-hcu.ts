import { type Address, getAddress, type Hex, hexToBigInt, type PublicClient } from 'viem';

interface StructLog {
  op: string;
  depth: number;
  stack?: Hex[];
}

/**
 * What HCULimit recorded for a transaction, read from anvil's opcode trace of it (its counters live in
 * transient storage, gone once the transaction ends): slot 0 holds the transaction's HCU, every other
 * slot the HCU depth of one handle. The storage context is followed through calls (DELEGATECALL keeps
 * the caller's: HCULimit runs behind a proxy).
 */
export async function hcuRecordedOnChain(
  client: PublicClient,
  rpcUrl: string,
  txHash: Hex,
  hcuLimit: Address,
): Promise<{ hcu: number; hcuDepth: number }> {
  const tx = await client.getTransaction({ hash: txHash });
  // anvil keeps no opcode steps of mined transactions (unless started with --steps-tracing): replay the
  // call on the state before its block (one transaction per block: anvil mines each one at once).
  // Plain fetch: the opcode trace is larger than viem's response limit.
  const response = await fetch(rpcUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'debug_traceCall',
      params: [
        { from: tx.from, to: tx.to, data: tx.input, gas: `0x${tx.gas.toString(16)}`, value: '0x0' },
        `0x${(tx.blockNumber! - 1n).toString(16)}`,
        { disableStorage: true, disableMemory: true, enableReturnData: false },
      ],
    }),
  });
  const trace = ((await response.json()) as { result: { structLogs: StructLog[] } }).result;
  const target = getAddress(hcuLimit);
  const contexts: Address[] = [];
  contexts[1] = getAddress(tx.to!);
  let hcu = 0n;
  let hcuDepth = 0n;
  const top = (stack: Hex[], i: number) => hexToBigInt(stack[stack.length - 1 - i]!);
  for (const step of trace.structLogs) {
    const stack = step.stack ?? [];
    if (step.op === 'CALL' || step.op === 'STATICCALL') {
      contexts[step.depth + 1] = getAddress(`0x${top(stack, 1).toString(16).padStart(40, '0')}`);
    } else if (step.op === 'DELEGATECALL' || step.op === 'CALLCODE') {
      contexts[step.depth + 1] = contexts[step.depth]!;
    } else if (step.op === 'TSTORE' && contexts[step.depth] === target) {
      const [slot, value] = [top(stack, 0), top(stack, 1)];
      if (slot === 0n) hcu = value;
      else if (value > hcuDepth) hcuDepth = value;
    }
  }
  return { hcu: Number(hcu), hcuDepth: Number(hcuDepth) };
}
