import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { eventually } from '../../backend/test/support/harness.ts';

const root = join(import.meta.dirname, '../..');

export interface WorkerProcess {
  readonly child: ChildProcess;
  /** Everything it wrote so far, stdout and stderr together. */
  output(): string;
}

/**
 * Starts a worker entry point (`gpu-worker/src/main.ts`, `backend/src/edit-worker-main.ts`) as a real process, so
 * a test can SIGKILL it mid-job, and resolves once its output says `readyText`.
 */
export async function spawnWorkerProcess(options: {
  name: string;
  entry: string;
  env: Record<string, string>;
  readyText: string;
  children: ChildProcess[];
}): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', options.entry], {
    cwd: root,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  options.children.push(child);
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  await eventually(async () => {
    if (child.exitCode !== null) throw new Error(`${options.name} exited early:\n${output}`);
    return output.includes(options.readyText) ? true : undefined;
  }, 120_000);
  return { child, output: () => output };
}

/** Resolves with the exit code once the process has exited. */
export const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
