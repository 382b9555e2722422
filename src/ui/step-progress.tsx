import { Box, render, Text } from 'ink';

export interface ProgressStep {
  label: string;
  /** Rough duration, used to draw a bar for steps that report no inner progress. */
  expectedMs: number;
}

type StepStatus =
  | { state: 'pending' }
  | { state: 'running'; startedAt: number }
  | { state: 'done'; elapsedMs: number; detail: string };

export interface StepProgress {
  start(index: number): void;
  done(index: number, detail: string): void;
  stop(): void;
}

const BAR_WIDTH = 24;

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

function Bar({ elapsedMs, expectedMs }: { elapsedMs: number; expectedMs: number }) {
  // An estimate, so it never claims completion before the step reports done.
  const filled = Math.min(BAR_WIDTH - 1, Math.floor((elapsedMs / expectedMs) * BAR_WIDTH));
  return (
    <Text color="cyan">
      {'█'.repeat(filled)}
      <Text color="gray">{'░'.repeat(BAR_WIDTH - filled)}</Text>
    </Text>
  );
}

function StepList({
  steps,
  statuses,
  now,
}: {
  steps: readonly ProgressStep[];
  statuses: StepStatus[];
  now: number;
}) {
  return (
    <Box flexDirection="column">
      {steps.map((step, i) => {
        const status = statuses[i]!;
        if (status.state === 'done') {
          return (
            <Text key={step.label}>
              <Text color="green">✔</Text> {step.label.padEnd(32)}{' '}
              {formatSeconds(status.elapsedMs).padStart(7)} <Text color="gray">{status.detail}</Text>
            </Text>
          );
        }
        if (status.state === 'running') {
          const elapsed = now - status.startedAt;
          return (
            <Text key={step.label}>
              <Text color="yellow">●</Text> {step.label.padEnd(32)} {formatSeconds(elapsed).padStart(7)}{' '}
              <Bar elapsedMs={elapsed} expectedMs={step.expectedMs} />
              <Text color="gray"> ~{formatSeconds(step.expectedMs)}</Text>
            </Text>
          );
        }
        return (
          <Text key={step.label} color="gray">
            ○ {step.label}
          </Text>
        );
      })}
    </Box>
  );
}

/**
 * A step list with elapsed time per step: live (ink) on a terminal, one plain line per finished step
 * otherwise, so CI logs stay readable.
 */
export function createStepProgress(
  steps: readonly ProgressStep[],
  options: { interactive: boolean },
): StepProgress {
  const statuses: StepStatus[] = steps.map(() => ({ state: 'pending' }));
  if (!options.interactive) {
    return {
      start: (i) => {
        statuses[i] = { state: 'running', startedAt: Date.now() };
        process.stderr.write(`… ${steps[i]!.label}\n`);
      },
      done: (i, detail) => {
        const status = statuses[i]!;
        const elapsedMs = status.state === 'running' ? Date.now() - status.startedAt : 0;
        process.stderr.write(`✔ ${steps[i]!.label} ${formatSeconds(elapsedMs)} ${detail}\n`);
      },
      stop: () => {},
    };
  }
  const view = () => <StepList steps={steps} statuses={statuses} now={Date.now()} />;
  const app = render(view(), { stdout: process.stderr });
  const timer = setInterval(() => app.rerender(view()), 100);
  let stopped = false;
  return {
    start: (i) => {
      statuses[i] = { state: 'running', startedAt: Date.now() };
      app.rerender(view());
    },
    done: (i, detail) => {
      const status = statuses[i]!;
      statuses[i] = {
        state: 'done',
        elapsedMs: status.state === 'running' ? Date.now() - status.startedAt : 0,
        detail,
      };
      app.rerender(view());
    },
    stop: () => {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      app.rerender(view());
      app.unmount();
    },
  };
}
