import { spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type GpuWorker, loadWorkerConfig, silentLogger, startGpuWorker } from '@lumina/gpu-worker';
import { createLogger } from '@lumina/runtime';
import { TaskList } from '@lumina/shared';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EditWorker, startEditWorker } from '../backend/src/edit/edit-worker.ts';
import { loadEditWorkerConfig } from '../backend/src/edit/edit-worker-config.ts';
import { fixturesDir } from '../backend/test/support/fixtures.ts';
import { type GeminiStandIn, imageReply, startGeminiStandIn } from '../backend/test/support/gemini-stand-in.ts';
import { eventually } from '../backend/test/support/harness.ts';
import { type ServedBackend, serveBackend } from './support/served-backend.ts';

// The `lumina` command exactly as a developer runs it (a child process, argv, exit code, stdout and stderr),
// against the real backend on a real port, a real gpu-worker (ISNet on onnxruntime) and the edit worker with
// Gemini replaced by its wire-protocol stand-in.
const root = join(import.meta.dirname, '..');
const geminiKey = 'cli-test-key';
const editPrice = 4;
let gemini: GeminiStandIn;
let served: ServedBackend;
let gpu: GpuWorker;
let edits: EditWorker;
let workDir: string;

beforeAll(async () => {
  gemini = await startGeminiStandIn(geminiKey);
  served = await serveBackend({
    GEMINI_API_KEY: geminiKey,
    GEMINI_BASE_URL: gemini.url,
    GEMINI_MAX_ATTEMPTS: '1',
    PRICE_MAGIC_EDIT: String(editPrice),
  });
  gpu = await startGpuWorker({
    config: loadWorkerConfig(served.t.env),
    store: served.t.backend.ctx.store,
    log: silentLogger,
  });
  await gpu.ready;
  edits = startEditWorker({
    config: loadEditWorkerConfig(served.t.env),
    store: served.t.backend.ctx.store,
    log: createLogger('edit-worker', { silent: true }),
  });
  await edits.ready;
  workDir = mkdtempSync(join(tmpdir(), 'lumina-cli-'));
});
afterAll(async () => {
  // The stand-in goes first: it ends the request the Ctrl-C test left hanging, so the edit worker can close.
  await gemini?.close();
  await edits?.close();
  await gpu?.close();
  await served?.close();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Starts `lumina …` through its bin shim (which loads tsx itself), in `cwd`, talking to the served backend. */
function start(args: string[], options: { cwd: string; apiKey?: string }) {
  const child = spawn(process.execPath, [join(root, 'cli/bin/lumina.mjs'), ...args], {
    cwd: options.cwd,
    env: {
      ...process.env,
      LUMINA_API_URL: served.origin,
      ...(options.apiKey ? { LUMINA_API_KEY: options.apiKey } : {}),
      // A pipe, not a terminal: progress comes as one plain line per file.
      FORCE_COLOR: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const finished = new Promise<Finished>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, finished };
}

const lumina = (args: string[], options: { cwd: string; apiKey?: string }) => start(args, options).finished;

/** A folder of its own for one test, with copies of the named fixture photos under `photos/`. */
function folderWith(...photos: string[]): string {
  const dir = mkdtempSync(join(workDir, 'run-'));
  mkdirSync(join(dir, 'photos'));
  for (const photo of photos) copyFileSync(join(fixturesDir, photo), join(dir, 'photos', photo));
  return dir;
}

async function imageInfo(path: string) {
  const meta = await sharp(readFileSync(path)).metadata();
  return { format: meta.format, width: meta.width, height: meta.height, channels: meta.channels };
}

async function teamTasks(apiKey: string) {
  const res = await served.t.request('/api/v1/tasks?limit=100', { headers: { authorization: `Bearer ${apiKey}` } });
  return TaskList.parse(await res.json()).data;
}

describe('the lumina CLI', () => {
  it('cuts out a folder of photos into RGBA PNGs, reports the credits spent; a second run skips them for free, --force redoes one', async () => {
    const team = await served.t.newTeam(10);
    const dir = folderWith('chelsea.png', 'horse.png');

    const first = await lumina(['remove-background', 'photos', '--out', 'cut'], { cwd: dir, apiKey: team.apiKey });
    expect(first.stderr).not.toMatch(/failed/);
    expect(first.code).toBe(0);
    for (const name of ['chelsea.png', 'horse.png']) {
      const original = await imageInfo(join(dir, 'photos', name));
      expect(await imageInfo(join(dir, 'cut', name))).toEqual({
        format: 'png',
        width: original.width,
        height: original.height,
        channels: 4,
      });
    }
    expect(first.stderr).toContain(
      `done      ${join('photos', 'chelsea.png')} -> ${join('cut', 'chelsea.png')} (1 credit)`,
    );
    expect(first.stdout).toBe('Processed 2, skipped 0, failed 0.\nCredits spent: 2.\nBalance left: 8.\n');
    expect(await served.t.team(team.teamId)).toEqual({ balance: 8, reserved: 0 });

    const written = statSync(join(dir, 'cut', 'chelsea.png')).mtimeMs;
    const again = await lumina(['remove-background', 'photos', '--out', 'cut'], { cwd: dir, apiKey: team.apiKey });
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('Processed 0, skipped 2, failed 0.\nCredits spent: 0.\nBalance left: 8.\n');
    expect(again.stderr).toContain(
      `skipped   ${join('photos', 'horse.png')}: ${join('cut', 'horse.png')} already exists`,
    );
    expect(statSync(join(dir, 'cut', 'chelsea.png')).mtimeMs).toBe(written);
    expect(await teamTasks(team.apiKey)).toHaveLength(2);
    expect(await served.t.team(team.teamId)).toEqual({ balance: 8, reserved: 0 });

    const horse = statSync(join(dir, 'cut', 'horse.png'));
    const forced = await lumina(['remove-background', 'photos/horse.png', '--out', 'cut', '--force'], {
      cwd: dir,
      apiKey: team.apiKey,
    });
    expect(forced.code).toBe(0);
    // Redone and written anew (a new file renamed into place). The server may answer identical work with the
    // stored result at no charge, so the summary is held to the pool's real movement rather than a fixed price.
    expect(statSync(join(dir, 'cut', 'horse.png')).ino).not.toBe(horse.ino);
    const { balance } = await served.t.team(team.teamId);
    expect(forced.stdout).toBe(
      `Processed 1, skipped 0, failed 0.\nCredits spent: ${8 - balance}.\nBalance left: ${balance}.\n`,
    );
    expect(readdirSync(join(dir, 'cut')).sort()).toEqual(['chelsea.png', 'horse.png']);
  });

  it('fails an unreadable file and a missing one in plain words while the rest is processed, and exits 1', async () => {
    const team = await served.t.newTeam(5);
    const dir = folderWith('horse.png');
    writeFileSync(join(dir, 'photos', 'broken.jpg'), 'this is a text file, not a JPEG');

    const run = await lumina(
      ['remove-background', 'photos/broken.jpg', 'photos/missing.png', 'photos/horse.png', '--out', 'cut', '-c', '2'],
      { cwd: dir, apiKey: team.apiKey },
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'failed    photos/broken.jpg: This is not an image Lumina can read (PNG, JPEG, WebP, AVIF, HEIF, TIFF or GIF). (unsupported_media_type)',
    );
    expect(run.stderr).toContain('failed    photos/missing.png: There is no such file. (file_unreadable)');
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stdout).toBe('Processed 1, skipped 0, failed 2.\nCredits spent: 1.\nBalance left: 4.\n');
    expect((await imageInfo(join(dir, 'cut', 'horse.png'))).channels).toBe(4);
    expect(existsSync(join(dir, 'cut', 'broken.png'))).toBe(false);
    expect(await served.t.team(team.teamId)).toEqual({ balance: 4, reserved: 0 });
  });

  it('says plainly that the credits ran out, tries no further file, charges nothing and exits 1', async () => {
    const team = await served.t.newTeam(0);
    const dir = folderWith('chelsea.png', 'horse.png');

    const run = await lumina(['remove-background', 'photos', '--out', 'cut', '--concurrency', '1'], {
      cwd: dir,
      apiKey: team.apiKey,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'failed    photos/chelsea.png: Not enough credits left in the team’s pool: buy a pack on the dashboard or ask an admin. (insufficient_credits)',
    );
    expect(run.stderr).toContain('not tried photos/horse.png: Not enough credits left');
    expect(run.stdout).toBe('Processed 0, skipped 0, failed 2.\nCredits spent: 0.\nBalance left: 0.\n');
    expect(existsSync(join(dir, 'cut', 'chelsea.png'))).toBe(false);
    expect(await teamTasks(team.apiKey)).toEqual([]);
  });

  it('prints help per command without a key or a server, and refuses a bad option before uploading anything', async () => {
    const help = await lumina(['remove-background', '--help'], { cwd: workDir });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: lumina remove-background <files or folders…> --out <dir>');
    expect(help.stdout).toContain('--bg-color <colour>');
    const general = await lumina(['--help'], { cwd: workDir });
    expect(general.code).toBe(0);
    expect(general.stdout).toMatch(/remove-background[\s\S]*upscale[\s\S]*magic-edit/);

    const team = await served.t.newTeam(5);
    const dir = folderWith('horse.png');
    const badScale = await lumina(['upscale', 'photos', '--out', 'big', '--scale', '3'], {
      cwd: dir,
      apiKey: team.apiKey,
    });
    expect(badScale).toMatchObject({ code: 2, stdout: '' });
    expect(badScale.stderr).toContain('lumina: --scale must be one of 2, 4 (not "3")');
    const wrongCommand = await lumina(['remove-background', 'photos', '--out', 'cut', '--prompt', 'hi'], {
      cwd: dir,
      apiKey: team.apiKey,
    });
    expect(wrongCommand.code).toBe(2);
    expect(wrongCommand.stderr).toContain('lumina: --prompt does not apply to remove-background');
    const noKey = await lumina(['remove-background', 'photos', '--out', 'cut'], { cwd: dir });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('no API key: pass --api-key or set LUMINA_API_KEY');
    expect(await teamTasks(team.apiKey)).toEqual([]);
    expect(await served.t.team(team.teamId)).toEqual({ balance: 5, reserved: 0 });
  });

  it('magic-edits with the prompt and writes the result in the asked format', async () => {
    const team = await served.t.newTeam(10);
    const dir = folderWith('chelsea.png');
    const orange = await sharp({ create: { width: 451, height: 300, channels: 3, background: '#ff7800' } })
      .png()
      .toBuffer();
    gemini.script(imageReply(orange));

    const run = await lumina(
      ['magic-edit', 'photos/chelsea.png', '--out', 'edited', '--prompt', 'make it orange', '--format', 'webp'],
      { cwd: dir, apiKey: team.apiKey },
    );
    expect(run.code).toBe(0);
    expect(gemini.requests.map((request) => request.prompt)).toEqual(['make it orange']);
    const original = await imageInfo(join(dir, 'photos', 'chelsea.png'));
    expect(await imageInfo(join(dir, 'edited', 'chelsea.webp'))).toMatchObject({
      format: 'webp',
      width: original.width,
      height: original.height,
    });
    expect(run.stdout).toBe(`Processed 1, skipped 0, failed 0.\nCredits spent: ${editPrice}.\nBalance left: 6.\n`);
  });

  it('continues from a task id without uploading again: upscales a magic edit the CLI made', async () => {
    const team = await served.t.newTeam(20);
    const dir = folderWith('chelsea.png');
    gemini.script(
      imageReply(
        await sharp({ create: { width: 120, height: 80, channels: 3, background: '#0080ff' } })
          .png()
          .toBuffer(),
      ),
    );
    const edit = await lumina(
      ['magic-edit', 'photos/chelsea.png', '--out', 'edited', '--prompt', 'make it blue', '--size', 'model'],
      {
        cwd: dir,
        apiKey: team.apiKey,
      },
    );
    expect(edit.code).toBe(0);
    const [editTask] = await teamTasks(team.apiKey);
    if (!editTask) throw new Error('the edit left no task');

    const upscale = await lumina(['upscale', editTask.taskId, '--out', 'big', '--scale', '2'], {
      cwd: dir,
      apiKey: team.apiKey,
    });
    expect(upscale.code).toBe(0);
    expect(await imageInfo(join(dir, 'big', `${editTask.taskId}.png`))).toMatchObject({ width: 240, height: 160 });
    const [upscaleTask] = await teamTasks(team.apiKey);
    expect(upscaleTask?.operation).toBe('upscale');
    expect(upscaleTask?.sourceTaskId).toBe(editTask.taskId);
    expect(upscale.stdout).toContain(`Credits spent: ${upscaleTask?.creditsDeducted}.`);
  });

  it('cancels the tasks in flight through the API on Ctrl-C, charges nothing and exits 130', async () => {
    const team = await served.t.newTeam(8);
    const dir = folderWith('chelsea.png', 'horse.png');
    // The model never answers, so the edits stay in flight until the CLI cancels them.
    gemini.script({ hang: true });

    const { child, finished } = start(
      ['magic-edit', 'photos', '--out', 'edited', '--prompt', 'add a hat', '--concurrency', '2'],
      { cwd: dir, apiKey: team.apiKey },
    );
    await eventually(async () => (gemini.requests.length > 0 ? true : undefined));
    child.kill('SIGINT');
    const run = await finished;

    expect(run.code).toBe(130);
    expect(run.stderr).toContain('Ctrl-C: canceling the tasks in flight');
    expect(run.stdout).toBe('Processed 0, skipped 0, failed 0, canceled 2.\nCredits spent: 0.\nBalance left: 8.\n');
    expect((await teamTasks(team.apiKey)).map((task) => task.status)).toEqual(['CANCELED', 'CANCELED']);
    expect(await served.t.team(team.teamId)).toEqual({ balance: 8, reserved: 0 });
    // Nothing written, not even a temporary file.
    expect(readdirSync(join(dir, 'edited'))).toEqual([]);
  });
});
