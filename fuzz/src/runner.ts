import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChildArgs, ChildMessage } from './child.ts';
import { ACCEPTED, OUTCOMES, type Outcome } from './target.ts';

export interface FuzzOptions {
  /** Number of inputs (indices 0..n-1 of the seed's sequence). */
  n: number;
  seed?: number;
  /** An input running longer than this is a hang (default 5 s). */
  timeoutMs?: number;
  /** RSS of the child after an input above this is an out-of-memory finding (default 1,536 MB). */
  maxRssMb?: number;
  /** V8 heap limit of the child (default 1,024 MB): past it the child aborts, which counts as oom. */
  maxHeapMb?: number;
  /** Called after every input. */
  onProgress?(done: number, n: number): void;
}

export interface Finding {
  index: number;
  outcome: Outcome;
  message: string;
  input: string;
}

export interface FuzzReport {
  target: string;
  seed: number;
  n: number;
  counts: Record<Outcome, number>;
  findings: Finding[];
  seconds: number;
}

const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

/**
 * Runs inputs 0..n-1 of a target in a child process and classifies each one. A hang kills the
 * child, a crash or abort ends it; either way the run goes on in a new child from the next input.
 */
export async function fuzz(targetName: string, options: FuzzOptions): Promise<FuzzReport> {
  const seed = options.seed ?? 1;
  const timeoutMs = options.timeoutMs ?? 5000;
  const counts = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
  const findings: Finding[] = [];
  const t0 = performance.now();
  let next = 0;
  while (next < options.n) {
    const result = await runChild(
      { target: targetName, seed, start: next, end: options.n, maxRssMb: options.maxRssMb ?? 1536 },
      options.maxHeapMb ?? 1024,
      timeoutMs,
      (index, outcome, message, input) => {
        counts[outcome]++;
        if (!ACCEPTED.has(outcome)) findings.push({ index, outcome, message, input });
        next = index + 1;
        options.onProgress?.(next, options.n);
      },
    );
    if (result.startedNothing && next < options.n) {
      throw new Error(`fuzz ${targetName}: the child process failed before input ${next}:\n${result.stderr}`);
    }
  }
  return {
    target: targetName,
    seed,
    n: options.n,
    counts,
    findings,
    seconds: (performance.now() - t0) / 1000,
  };
}

type Record_ = (index: number, outcome: Outcome, message: string, input: string) => void;

function runChild(
  args: ChildArgs,
  maxHeapMb: number,
  timeoutMs: number,
  record: Record_,
): Promise<{ startedNothing: boolean; stderr: string }> {
  return new Promise((resolve) => {
    const child: ChildProcess = fork(CHILD, [JSON.stringify(args)], {
      cwd: PACKAGE_DIR,
      execArgv: ['--import', 'tsx', '--conditions=@lumen/source', `--max-old-space-size=${maxHeapMb}`],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-20_000);
    });
    let current: { index: number; input: string } | null = null;
    let startedAny = false;
    let timer: NodeJS.Timeout | undefined;
    let hung = false;
    child.on('message', (m: ChildMessage) => {
      if (m.type === 'start') {
        startedAny = true;
        current = { index: m.index, input: m.input };
        timer = setTimeout(() => {
          hung = true;
          child.kill('SIGKILL');
        }, timeoutMs);
      } else {
        clearTimeout(timer);
        record(m.index, m.outcome, m.message ?? '', current?.input ?? '');
        current = null;
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (current) {
        const { index, input } = current;
        if (hung) record(index, 'hang', `no result after ${timeoutMs} ms`, input);
        else {
          const oom = /heap out of memory|bad_alloc|Allocation failed|OOM/i.test(stderr);
          const how = signal ? `signal ${signal}` : `exit code ${code}`;
          record(index, oom ? 'oom' : 'crash', `${how}\n${stderr.slice(-2000)}`, input);
        }
      }
      resolve({ startedNothing: !startedAny, stderr });
    });
  });
}

export function formatReport(r: FuzzReport): string {
  const counts = OUTCOMES.map((o) => `${o} ${r.counts[o]}`).join(', ');
  const lines = [`${r.target}: ${r.n} inputs (seed ${r.seed}) in ${r.seconds.toFixed(1)} s — ${counts}`];
  for (const f of r.findings.slice(0, 20)) {
    lines.push(`  #${f.index} ${f.outcome}: ${f.message.split('\n').slice(0, 4).join(' | ')}`);
    if (f.input) lines.push(`      input: ${f.input}`);
  }
  if (r.findings.length > 20) lines.push(`  … and ${r.findings.length - 20} more`);
  return lines.join('\n');
}
