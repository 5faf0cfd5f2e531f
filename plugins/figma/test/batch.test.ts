import { createLuminaClient, TaskView } from '@lumina/shared';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GeminiStandIn, imageReply } from '../../../backend/test/support/gemini-stand-in.ts';
import { type EditingBackend, serveEditingBackend } from '../../../e2e/support/served-backend.ts';
import type { PanelSettings, SelectionItem } from '../src/lib/messages.ts';
import { type BatchItem, chargedNote, createBatch, type RunnableJob } from '../src/ui/run-batch.ts';
import type { FakeNode } from './support/fake-figma.ts';
import { startPluginRig } from './support/plugin-rig.ts';
import { sharpCodec } from './support/sharp-codec.ts';

// The batch runner the UI uses, against the real backend over HTTP, with the real main-thread controller on
// the fake Figma. Magic edit completes through the edit worker (Gemini replaced at its wire protocol); upscale
// tasks stay queued here (no gpu-worker), which is what the cancel tests need.
const geminiKey = 'figma-batch-key';
const price = 2;
let served: EditingBackend;
let gemini: GeminiStandIn;

beforeAll(async () => {
  served = await serveEditingBackend({ geminiKey, priceMagicEdit: price });
  gemini = served.gemini;
});
afterAll(async () => {
  await served?.close();
});

const solid = async (width: number, height: number, color = '#3366ff') =>
  new Uint8Array(
    await sharp({ create: { width, height, channels: 4, background: color } })
      .png()
      .toBuffer(),
  );

const edit: RunnableJob = {
  job: { operation: 'magic-edit', values: { prompt: 'make it pink' } },
  params: { prompt: 'make it pink', format: 'png' },
  label: 'Magic edit',
};
const upscaleBy = (scale: '2' | '4'): RunnableJob => ({
  job: { operation: 'upscale', values: { scale } },
  params: { scale, format: 'png' },
  label: `Upscale ${scale}×`,
});
const beside: PanelSettings = { placement: 'beside', hideOriginal: false, exportScale: 1, largeResult: 'downscale' };

async function selectionOf(rig: ReturnType<typeof startPluginRig>, nodes: FakeNode[]): Promise<SelectionItem[]> {
  rig.figma.select(nodes);
  await rig.controller.handle({ type: 'ui-ready' });
  const init = rig.received.find((message) => message.type === 'init');
  if (init?.type !== 'init') throw new Error('no init message');
  return init.selection;
}

/** Every state each item went through, in order, without repeats. */
function recordPhases() {
  const phases = new Map<string, string[]>();
  return {
    phases,
    onChange(items: readonly BatchItem[]) {
      for (const item of items) {
        const seen = phases.get(item.name) ?? [];
        if (seen.at(-1) !== item.state.phase) seen.push(item.state.phase);
        phases.set(item.name, seen);
      }
    },
  };
}

describe('a batch from the selection to the document', () => {
  it('processes a mixed selection a few at a time and puts every result back with one undo step each', async () => {
    const team = await served.t.newTeam(10);
    const rig = startPluginRig();
    gemini.script(imageReply(Buffer.from(await solid(64, 64, '#ff66cc'))));
    const photo = rig.figma.imageNode(await solid(120, 80), { name: 'Photo' });
    const card = rig.figma.node('FRAME', { name: 'Card', width: 60, height: 40 });
    const title = rig.figma.node('TEXT', { name: 'Title', width: 90, height: 20 });
    const items = await selectionOf(rig, [photo, card, title]);
    const record = recordPhases();
    let credits: number | null = null;

    const done = await createBatch({
      client: createLuminaClient({ baseUrl: served.origin, token: team.apiKey }),
      link: rig.link,
      codec: sharpCodec,
      job: edit,
      items,
      settings: beside,
      concurrency: 2,
      onChange: record.onChange,
      onCredits: (remaining) => {
        credits = remaining;
      },
    }).run();

    expect(done.map((item) => [item.name, item.state.phase])).toEqual([
      ['Photo', 'done'],
      ['Card', 'done'],
      ['Title', 'done'],
    ]);
    for (const phases of record.phases.values()) {
      expect(phases[0]).toBe('waiting');
      expect(phases).toContain('sending');
      expect(phases).toContain('queued');
      expect(phases.slice(-2)).toEqual(['inserting', 'done']);
    }
    // Each result is a new layer right after its original, with the edited pixels as its image fill.
    for (const [original, size] of [
      [photo, { w: 120, h: 80 }],
      [card, { w: 60, h: 40 }],
      [title, { w: 90, h: 20 }],
    ] as const) {
      const page = rig.figma.currentPage.children;
      const added = page[page.indexOf(original) + 1];
      expect(added?.name).toBe(`${original.name} · Magic edit`);
      const paint = added?.fills?.[0];
      const bytes = rig.figma.images.get(paint?.type === 'IMAGE' ? (paint.imageHash ?? '') : '');
      const meta = await sharp(bytes).metadata();
      expect([meta.width, meta.height]).toEqual([size.w, size.h]);
      const { data } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
      expect([data[0], data[1], data[2]]).toEqual([255, 102, 204]);
    }
    expect(rig.figma.undoSteps).toBe(3);
    expect(await served.t.team(team.teamId)).toEqual({ balance: 10 - 3 * price, reserved: 0 });
    expect(credits).not.toBeNull();
  });

  it('reports a layer deleted while its task ran, and finishes the others', async () => {
    const team = await served.t.newTeam(10);
    const rig = startPluginRig();
    gemini.script(imageReply(Buffer.from(await solid(64, 64, '#ff66cc'))));
    const doomed = rig.figma.imageNode(await solid(50, 50), { name: 'Doomed' });
    const kept = rig.figma.imageNode(await solid(40, 40), { name: 'Kept' });
    const items = await selectionOf(rig, [doomed, kept]);

    const done = await createBatch({
      client: createLuminaClient({ baseUrl: served.origin, token: team.apiKey }),
      link: rig.link,
      codec: sharpCodec,
      job: edit,
      items,
      settings: beside,
      onChange: (rows) => {
        // The designer deletes the layer once its task is on the server.
        if (rows.some((row) => row.name === 'Doomed' && row.taskId !== null) && !doomed.removed) doomed.remove();
      },
    }).run();

    expect(done.find((item) => item.name === 'Doomed')?.state).toMatchObject({ phase: 'error', code: 'node-gone' });
    expect(done.find((item) => item.name === 'Kept')?.state.phase).toBe('done');
    // The edit was done and charged before Figma could place it: the row says so and keeps the result.
    const doomedRow = done.find((item) => item.name === 'Doomed');
    expect(doomedRow?.state).toMatchObject({
      message: `The layer was deleted while it was being processed. ${chargedNote}`,
    });
    expect(doomedRow?.after?.length).toBeGreaterThan(0);
    expect(rig.figma.undoSteps).toBe(1);
  });

  it('says before sending which results will be over 4096 px, then tiles, downscales or downloads them', async () => {
    const team = await served.t.newTeam(20);
    gemini.script(imageReply(Buffer.from(await solid(1024, 16, '#ff66cc'))));
    const client = createLuminaClient({ baseUrl: served.origin, token: team.apiKey });

    const run = async (largeResult: PanelSettings['largeResult']) => {
      const rig = startPluginRig();
      // Exported at 2×: a 4200×60 px input, whose edit comes back at that size.
      const node = rig.figma.node('FRAME', { name: `Banner ${largeResult}`, width: 2100, height: 30 });
      const downloads: Array<{ bytes: Uint8Array; filename: string }> = [];
      const batch = createBatch({
        client,
        link: rig.link,
        codec: sharpCodec,
        job: edit,
        items: await selectionOf(rig, [node]),
        settings: { ...beside, exportScale: 2, largeResult },
        onChange: () => undefined,
        onDownload: (bytes, filename) => downloads.push({ bytes, filename }),
      });
      expect(batch.items()[0]?.tooLargeForFigma).toBe(true);
      const [item] = await batch.run();
      const page = rig.figma.currentPage.children;
      return { rig, item, added: page[page.indexOf(node) + 1], downloads };
    };

    const tiles = await run('tiles');
    expect(tiles.item?.state.phase).toBe('done');
    expect(tiles.added?.type).toBe('GROUP');
    const tileSizes = await Promise.all(
      (tiles.added?.children ?? []).map(async (tile) => {
        const paint = tile.fills?.[0];
        const meta = await sharp(
          tiles.rig.figma.images.get(paint?.type === 'IMAGE' ? (paint.imageHash ?? '') : ''),
        ).metadata();
        return [meta.width, meta.height];
      }),
    );
    expect(tileSizes).toEqual([
      [4096, 60],
      [104, 60],
    ]);

    const downscaled = await run('downscale');
    const paint = downscaled.added?.fills?.[0];
    const meta = await sharp(
      downscaled.rig.figma.images.get(paint?.type === 'IMAGE' ? (paint.imageHash ?? '') : ''),
    ).metadata();
    expect([meta.width, meta.height]).toEqual([4096, 59]);

    const downloaded = await run('download');
    expect(downloaded.item?.state).toMatchObject({ phase: 'done', note: 'Downloaded (4200 × 60 px)' });
    expect(downloaded.downloads).toHaveLength(1);
    expect((await sharp(downloaded.downloads[0]?.bytes).metadata()).width).toBe(4200);
    expect(downloaded.rig.figma.undoSteps).toBe(0);
  });

  it('flags an upscale that would pass 4096 px before anything is sent', async () => {
    const rig = startPluginRig();
    const node = rig.figma.imageNode(await solid(1100, 300), { name: 'Hero' });
    const small = rig.figma.imageNode(await solid(1000, 300), { name: 'Thumb' });
    const batch = createBatch({
      client: createLuminaClient({ baseUrl: served.origin, token: 'unused' }),
      link: rig.link,
      codec: sharpCodec,
      job: upscaleBy('4'),
      items: await selectionOf(rig, [node, small]),
      settings: beside,
      onChange: () => undefined,
    });
    expect(batch.items().map((item) => [item.name, item.tooLargeForFigma])).toEqual([
      ['Hero', true],
      ['Thumb', false],
    ]);
  });

  it('cancels one item and then all: the tasks are canceled on the server and nothing is charged', async () => {
    const team = await served.t.newTeam(10);
    const rig = startPluginRig();
    const nodes = [1, 2, 3].map((n) => rig.figma.node('FRAME', { name: `Frame ${n}`, width: 30, height: 30 }));
    const client = createLuminaClient({ baseUrl: served.origin, token: team.apiKey });
    const canceledOnce = new Set<string>();
    const batch = createBatch({
      client,
      link: rig.link,
      codec: sharpCodec,
      job: upscaleBy('2'),
      items: await selectionOf(rig, nodes),
      settings: beside,
      concurrency: 3,
      onChange: (rows) => {
        const queued = rows.filter((row) => row.state.phase === 'queued');
        const first = rows[0];
        if (first && first.state.phase === 'queued' && !canceledOnce.has('one')) {
          canceledOnce.add('one');
          void batch.cancel(first.itemId);
        } else if (queued.length === 2 && canceledOnce.has('one') && !canceledOnce.has('all')) {
          canceledOnce.add('all');
          void batch.cancelAll();
        }
      },
    });
    const done = await batch.run();
    expect(done.map((item) => item.state.phase)).toEqual(['canceled', 'canceled', 'canceled']);
    for (const item of done) {
      if (!item.taskId) continue;
      await expect
        .poll(
          async () =>
            TaskView.parse(
              await (
                await served.t.request(`/api/v1/tasks/${item.taskId}`, {
                  headers: team.auth,
                })
              ).json(),
            ).status,
        )
        .toBe('CANCELED');
    }
    expect(await served.t.team(team.teamId)).toEqual({ balance: 10, reserved: 0 });
    expect(rig.figma.undoSteps).toBe(0);
  });

  it('shows a plain-words error per item when the team has no credits left', async () => {
    const team = await served.t.newTeam(1);
    const rig = startPluginRig();
    const node = rig.figma.node('FRAME', { name: 'Poster' });
    const [item] = await createBatch({
      client: createLuminaClient({ baseUrl: served.origin, token: team.apiKey }),
      link: rig.link,
      codec: sharpCodec,
      job: edit,
      items: await selectionOf(rig, [node]),
      settings: beside,
      onChange: () => undefined,
    }).run();
    expect(item?.state).toMatchObject({
      phase: 'error',
      code: 'insufficient_credits',
      message: expect.stringMatching(/^Not enough credits/),
    });
  });

  it('holds results for review when asked: Apply places one, Discard drops one, Apply all places the rest', async () => {
    const team = await served.t.newTeam(10);
    const rig = startPluginRig();
    gemini.script(imageReply(Buffer.from(await solid(32, 32, '#ff66cc'))));
    gemini.script(imageReply(Buffer.from(await solid(32, 32, '#ff66cc'))));
    gemini.script(imageReply(Buffer.from(await solid(32, 32, '#ff66cc'))));
    const nodes = ['A', 'B', 'C'].map((name) => rig.figma.node('FRAME', { name, width: 32, height: 32 }));
    const batch = createBatch({
      client: createLuminaClient({ baseUrl: served.origin, token: team.apiKey }),
      link: rig.link,
      codec: sharpCodec,
      job: edit,
      items: await selectionOf(rig, nodes),
      settings: beside,
      review: true,
      onChange: () => undefined,
    });
    const held = await batch.run();
    expect(held.map((item) => item.state.phase)).toEqual(['review', 'review', 'review']);
    expect(held.every((item) => item.before && item.after)).toBe(true);
    expect(rig.figma.undoSteps).toBe(0);

    const [a, b] = held;
    await batch.apply(a?.itemId ?? '');
    batch.discard(b?.itemId ?? '');
    await batch.applyAll();
    expect(batch.items().map((item) => item.state.phase)).toEqual(['done', 'discarded', 'done']);
    expect(rig.figma.undoSteps).toBe(2);
  });

  it('continues from a finished result by its task id: nothing is read or uploaded again, the same layer gets the new result, each step is charged', async () => {
    const team = await served.t.newTeam(10);
    const rig = startPluginRig();
    const client = createLuminaClient({ baseUrl: served.origin, token: team.apiKey });
    const replace: PanelSettings = { ...beside, placement: 'replace' };
    const photo = rig.figma.imageNode(await solid(40, 30), { name: 'Photo' });
    gemini.script(imageReply(Buffer.from(await solid(40, 30, '#ff66cc'))));
    const [first] = await createBatch({
      client,
      link: rig.link,
      codec: sharpCodec,
      job: edit,
      items: await selectionOf(rig, [photo]),
      settings: replace,
      onChange: () => undefined,
    }).run();
    if (first?.state.phase !== 'done' || !first.taskId || !first.after || !first.resultPx) {
      throw new Error(`the first step did not finish: ${JSON.stringify(first?.state)}`);
    }
    const inputsRead = rig.received.filter((message) => message.type === 'input').length;

    // Scripting the next reply clears what the stand-in recorded: its first request is the second step's.
    gemini.script(imageReply(Buffer.from(await solid(40, 30, '#33cc66'))));
    const [second] = await createBatch({
      client,
      link: rig.link,
      codec: sharpCodec,
      job: { ...edit, job: { operation: 'magic-edit', values: { prompt: 'make it green' } } },
      items: [
        {
          nodeId: first.nodeId,
          name: first.name,
          sourceTaskId: first.taskId,
          bytes: first.after,
          ...first.resultPx,
        },
      ],
      settings: replace,
      onChange: () => undefined,
    }).run();

    expect(second?.state.phase).toBe('done');
    expect(second?.sourceTaskId).toBe(first.taskId);
    // The main thread was not asked for the layer again: the API read the first result from its own storage.
    expect(rig.received.filter((message) => message.type === 'input').length).toBe(inputsRead);
    const sent = gemini.requests[0]?.image;
    if (!sent) throw new Error('the model got no image');
    const { data: sentPixels } = await sharp(sent.bytes).raw().toBuffer({ resolveWithObject: true });
    expect([sentPixels[0], sentPixels[1], sentPixels[2]]).toEqual([255, 102, 204]);
    const view = TaskView.parse(
      await (
        await fetch(`${served.origin}/api/v1/tasks/${second?.taskId}`, {
          headers: { authorization: `Bearer ${team.apiKey}` },
        })
      ).json(),
    );
    expect(view.sourceTaskId).toBe(first.taskId);

    // "Replace in place" swapped the same layer's image fill twice: it now holds the second step's pixels.
    expect(rig.figma.currentPage.children).toEqual([photo]);
    const paint = photo.fills?.[0];
    const bytes = rig.figma.images.get(paint?.type === 'IMAGE' ? (paint.imageHash ?? '') : '');
    const { data } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
    expect([data[0], data[1], data[2]]).toEqual([51, 204, 102]);
    expect(rig.figma.undoSteps).toBe(2);
    expect(await served.t.team(team.teamId)).toEqual({ balance: 10 - 2 * price, reserved: 0 });
  });
});
