import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { defaultPanelSettings, type ToUi } from '../src/lib/messages.ts';
import { selectFirst, settingsStorageKey, tokenStorageKey } from '../src/main/create-main-controller.ts';
import type { SolidPaint, Transform } from '../src/main/figma-types.ts';
import { lastJobKey } from '../src/main/job-of-command.ts';
import type { FakeNode } from './support/fake-figma.ts';
import { startPluginRig } from './support/plugin-rig.ts';

// The main thread alone, on the fake Figma: what it reads from layers and how it puts results back.
const solid = async (width: number, height: number, color = '#3366ff') =>
  new Uint8Array(
    await sharp({ create: { width, height, channels: 4, background: color } })
      .png()
      .toBuffer(),
  );

/** Sends one message as the UI would and waits for the main thread's answer to it. */
async function ask(rig: ReturnType<typeof startPluginRig>, message: unknown): Promise<ToUi | undefined> {
  const before = rig.received.length;
  await rig.controller.handle(message);
  return rig.received[before];
}

/** The `init` the UI gets once a run has shown it (hidden or not). */
async function initAfterRun(rig: ReturnType<typeof startPluginRig>) {
  await expect.poll(() => rig.figma.shownUi).not.toBeNull();
  await rig.controller.handle({ type: 'ui-ready' });
  return rig.received.findLast((message) => message.type === 'init');
}

const imageHashOf = (node: FakeNode, index = 0) => {
  const paint = node.fills?.[index];
  return paint?.type === 'IMAGE' ? paint.imageHash : undefined;
};

describe('main thread on the fake Figma', () => {
  it('describes a mixed selection: image fills at their own pixels, other layers by their bounds', async () => {
    const rig = startPluginRig('');
    const photo = rig.figma.imageNode(await solid(640, 480), { name: 'Photo', width: 320, height: 240 });
    const frame = rig.figma.node('FRAME', { name: 'Card', width: 200, height: 120 });
    const group = rig.figma.node('GROUP', { name: 'Icons', width: 48, height: 48 });
    rig.figma.select([photo, frame, group]);
    await rig.figma.clientStorage.setAsync(tokenStorageKey, 'plugin-token');
    rig.run('upscale', { scale: '4' });
    await expect.poll(() => rig.figma.shownUi).not.toBeNull();

    await rig.controller.handle({ type: 'ui-ready' });
    const init = rig.received.find((message) => message.type === 'init');
    expect(init).toEqual({
      type: 'init',
      token: 'plugin-token',
      quickJob: { operation: 'upscale', values: { scale: '4' } },
      settings: defaultPanelSettings,
      selection: [
        { nodeId: photo.id, name: 'Photo', nodeType: 'RECTANGLE', hasImageFill: true, widthPx: 640, heightPx: 480 },
        { nodeId: frame.id, name: 'Card', nodeType: 'FRAME', hasImageFill: false, widthPx: 200, heightPx: 120 },
        { nodeId: group.id, name: 'Icons', nodeType: 'GROUP', hasImageFill: false, widthPx: 48, heightPx: 48 },
      ],
    });
    // A quick action runs without the full panel.
    expect(rig.figma.shownUi?.options).toMatchObject({ themeColors: true, visible: false });
    // The selection change itself was reported to the UI as well.
    await expect
      .poll(() => rig.received.find((message) => message.type === 'selection'))
      .toMatchObject({
        items: [{ nodeId: photo.id }, { nodeId: frame.id }, { nodeId: group.id }],
      });
  });

  it('sends an image fill’s original bytes, and exports other layers as PNG at the chosen scale', async () => {
    const rig = startPluginRig();
    const original = await solid(300, 200);
    const photo = rig.figma.imageNode(original, { width: 30, height: 20 });
    const frame = rig.figma.node('FRAME', { width: 50, height: 40 });

    const fromFill = await ask(rig, { type: 'read-input', itemId: 'a', nodeId: photo.id, exportScale: 3 });
    expect(fromFill).toMatchObject({ type: 'input', itemId: 'a', widthPx: 300, heightPx: 200, source: 'image-fill' });
    expect(fromFill?.type === 'input' && Buffer.from(fromFill.bytes).equals(Buffer.from(original))).toBe(true);

    const exported = await ask(rig, { type: 'read-input', itemId: 'b', nodeId: frame.id, exportScale: 2 });
    expect(exported).toMatchObject({ type: 'input', itemId: 'b', widthPx: 100, heightPx: 80, source: 'export' });
    expect(rig.figma.exports).toEqual([
      { nodeId: frame.id, settings: { format: 'PNG', constraint: { type: 'SCALE', value: 2 } } },
    ]);
  });

  it('reports a deleted layer instead of failing', async () => {
    const rig = startPluginRig();
    const frame = rig.figma.node('FRAME');
    frame.remove();
    expect(await ask(rig, { type: 'read-input', itemId: 'x', nodeId: frame.id, exportScale: 1 })).toMatchObject({
      type: 'item-failed',
      reason: 'node-gone',
    });
    const result = await solid(10, 10);
    const apply = {
      type: 'apply-result',
      itemId: 'y',
      nodeId: frame.id,
      placement: 'beside',
      hideOriginal: false,
      widthPx: 10,
      heightPx: 10,
      pieces: [{ bytes: result, x: 0, y: 0, widthPx: 10, heightPx: 10 }],
      label: 'Remove background',
      job: { operation: 'remove-background', values: {} },
    };
    expect(await ask(rig, apply)).toMatchObject({ type: 'item-failed', itemId: 'y', reason: 'node-gone' });
    expect(rig.figma.undoSteps).toBe(0);
  });

  it('replaces the image fill in place, keeping scale mode, transform, filters and the other fills', async () => {
    const rig = startPluginRig();
    const transform: Transform = [
      [0.5, 0, 0.1],
      [0, 0.5, 0.2],
    ];
    const photo = rig.figma.imageNode(await solid(64, 64), {
      fill: { scaleMode: 'CROP', imageTransform: transform, filters: { exposure: 0.3 } },
    });
    const solidFill: SolidPaint = { type: 'SOLID', color: { r: 1, g: 0, b: 0 } };
    photo.fills = [solidFill, ...(photo.fills ?? [])];
    const result = await solid(64, 64, '#00ff00');

    const answer = await ask(rig, {
      type: 'apply-result',
      itemId: 'r',
      nodeId: photo.id,
      placement: 'replace',
      hideOriginal: false,
      widthPx: 64,
      heightPx: 64,
      pieces: [{ bytes: result, x: 0, y: 0, widthPx: 64, heightPx: 64 }],
      label: 'Remove background',
      job: { operation: 'remove-background', values: {} },
    });
    expect(answer).toEqual({ type: 'applied', itemId: 'r', nodeId: photo.id });
    const newHash = imageHashOf(photo, 1);
    expect(photo.fills).toEqual([
      solidFill,
      { type: 'IMAGE', scaleMode: 'CROP', imageTransform: transform, filters: { exposure: 0.3 }, imageHash: newHash },
    ]);
    expect(Buffer.from(rig.figma.images.get(newHash ?? '') ?? []).equals(Buffer.from(result))).toBe(true);
    expect(rig.figma.undoSteps).toBe(1);
    expect(photo.relaunchData).toEqual({ open: '', repeat: 'Lumina: Remove background' });
  });

  it('adds the result as a new layer beside the original, and can hide the original', async () => {
    const rig = startPluginRig();
    const frame = rig.figma.node('FRAME', { name: 'Card', width: 100, height: 50, x: 10 });
    const result = await solid(400, 200);
    const answer = await ask(rig, {
      type: 'apply-result',
      itemId: 'b',
      nodeId: frame.id,
      placement: 'beside',
      hideOriginal: true,
      widthPx: 400,
      heightPx: 200,
      pieces: [{ bytes: result, x: 0, y: 0, widthPx: 400, heightPx: 200 }],
      label: 'Upscale 4×',
      job: { operation: 'upscale', values: { scale: '4' } },
    });
    expect(answer?.type).toBe('applied');
    const added = await rig.figma.getNodeByIdAsync(answer?.type === 'applied' ? answer.nodeId : '');
    expect(added).toMatchObject({ type: 'RECTANGLE', name: 'Card · Upscale 4×', x: 134, y: 0, width: 100, height: 50 });
    expect(added?.fills).toEqual([{ type: 'IMAGE', scaleMode: 'FILL', imageHash: expect.any(String) }]);
    expect(rig.figma.currentPage.children.indexOf(added as FakeNode)).toBe(
      rig.figma.currentPage.children.indexOf(frame) + 1,
    );
    expect(frame.visible).toBe(false);
    expect(rig.figma.undoSteps).toBe(1);
  });

  it('refuses a piece over 4096 px before Figma does, and inserts tiles as one group', async () => {
    const rig = startPluginRig();
    const frame = rig.figma.node('FRAME', { width: 500, height: 50 });
    const before = rig.figma.currentPage.children.length;
    const wide = await solid(5000, 20);
    const tooLarge = await ask(rig, {
      type: 'apply-result',
      itemId: 'w',
      nodeId: frame.id,
      placement: 'beside',
      hideOriginal: false,
      widthPx: 5000,
      heightPx: 20,
      pieces: [{ bytes: wide, x: 0, y: 0, widthPx: 5000, heightPx: 20 }],
      label: 'Upscale 4×',
      job: { operation: 'upscale', values: { scale: '4' } },
    });
    expect(tooLarge).toMatchObject({ type: 'item-failed', reason: 'too-large' });
    expect(rig.figma.currentPage.children.length).toBe(before);
    expect(rig.figma.undoSteps).toBe(0);

    const tiled = await ask(rig, {
      type: 'apply-result',
      itemId: 't',
      nodeId: frame.id,
      placement: 'beside',
      hideOriginal: false,
      widthPx: 5000,
      heightPx: 20,
      pieces: [
        { bytes: await solid(4096, 20), x: 0, y: 0, widthPx: 4096, heightPx: 20 },
        { bytes: await solid(904, 20), x: 4096, y: 0, widthPx: 904, heightPx: 20 },
      ],
      label: 'Upscale 4×',
      job: { operation: 'upscale', values: { scale: '4' } },
    });
    const group = await rig.figma.getNodeByIdAsync(tiled?.type === 'applied' ? tiled.nodeId : '');
    expect(group?.type).toBe('GROUP');
    expect(group?.children.map((tile) => ({ x: tile.x, width: tile.width }))).toEqual([
      { x: 524, width: 409.6 },
      { x: 933.6, width: 90.4 },
    ]);
    expect(rig.figma.undoSteps).toBe(1);
  });

  it('keeps the token in clientStorage, forgets it on sign-out, and opens links with openExternal', async () => {
    const rig = startPluginRig();
    await rig.controller.handle({ type: 'save-token', token: 'abc' });
    expect(rig.figma.storage.get(tokenStorageKey)).toBe('abc');
    await rig.controller.handle({ type: 'save-token', token: null });
    expect(rig.figma.storage.has(tokenStorageKey)).toBe(false);
    await rig.controller.handle({ type: 'open-external', url: 'https://lumina.example/billing' });
    expect(rig.figma.opened).toEqual(['https://lumina.example/billing']);
    // Checked by its text, since the main thread has no `URL`: only web links open.
    await rig.controller.handle({ type: 'open-external', url: 'javascript:alert(1)' });
    await rig.controller.handle({ type: 'open-external', url: 'https://' });
    expect(rig.figma.opened).toEqual(['https://lumina.example/billing']);
  });

  it('ignores a message outside the contract', async () => {
    const rig = startPluginRig();
    const frame = rig.figma.node('FRAME');
    await rig.controller.handle({ type: 'apply-result', nodeId: frame.id, pieces: 'everything' });
    await rig.controller.handle({ type: 'save-token', token: 42 });
    expect(rig.received).toEqual([]);
    expect(rig.figma.storage.size).toBe(0);
    expect(rig.figma.undoSteps).toBe(0);
  });

  it('remembers how results are placed in clientStorage, and hands it to the next run', async () => {
    const rig = startPluginRig();
    const settings = { placement: 'replace', hideOriginal: false, exportScale: 2, largeResult: 'tiles' };
    await rig.controller.handle({ type: 'save-settings', settings });
    expect(rig.figma.storage.get(settingsStorageKey)).toEqual(settings);
    const next = startPluginRig();
    await next.figma.clientStorage.setAsync(settingsStorageKey, settings);
    expect(await ask(next, { type: 'ui-ready' })).toMatchObject({ type: 'init', settings, quickJob: null });
  });

  it('selects a row’s layer and scrolls it into view', async () => {
    const rig = startPluginRig();
    const card = rig.figma.node('FRAME', { name: 'Card' });
    await rig.controller.handle({ type: 'select-node', nodeId: card.id });
    expect(rig.figma.currentPage.selection).toEqual([card]);
    expect(rig.figma.revealed).toEqual([card.id]);
  });

  it('says "Select an image layer first" and closes when a quick action finds nothing selected', async () => {
    const rig = startPluginRig('');
    rig.run('remove-background');
    await expect.poll(() => rig.figma.closed).toBe(true);
    expect(rig.figma.notifications).toEqual([{ message: selectFirst, error: true }]);
    expect(rig.figma.shownUi).toBeNull();
  });

  it('offers quick-action suggestions for the scale and the instruction, and takes what was typed', async () => {
    const rig = startPluginRig('');
    expect(rig.figma.typeParameter('scale', '')).toEqual([
      { name: '2× (twice as wide and tall)', data: '2' },
      { name: '4× (four times as wide and tall)', data: '4' },
    ]);
    expect(rig.figma.typeParameter('scale', '4')).toEqual([{ name: '4× (four times as wide and tall)', data: '4' }]);
    expect(rig.figma.typeParameter('prompt', 'make it golden hour')[0]).toBe('make it golden hour');
    const photo = rig.figma.imageNode(await solid(20, 20), { name: 'Photo' });
    rig.figma.select([photo]);
    rig.run('magic-edit', { prompt: ' make it golden hour ' });
    expect(await initAfterRun(rig)).toMatchObject({
      quickJob: { operation: 'magic-edit', values: { prompt: 'make it golden hour' } },
    });
  });

  it('repeats the job a result was made with from its relaunch button, options included', async () => {
    const rig = startPluginRig();
    const photo = rig.figma.imageNode(await solid(20, 20), { name: 'Photo' });
    const job = { operation: 'remove-background', values: { crop: true, crop_margin: 12, channels: 'alpha' } };
    const applied = await ask(rig, {
      type: 'apply-result',
      itemId: 'r',
      nodeId: photo.id,
      placement: 'beside',
      hideOriginal: false,
      widthPx: 20,
      heightPx: 20,
      pieces: [{ bytes: await solid(20, 20, '#000000'), x: 0, y: 0, widthPx: 20, heightPx: 20 }],
      label: 'Remove background',
      job,
    });
    const result = applied?.type === 'applied' ? await rig.figma.getNodeByIdAsync(applied.nodeId) : null;
    expect(result?.relaunchData).toEqual({ open: '', repeat: 'Lumina: Remove background' });
    expect(JSON.parse(result?.getPluginData(lastJobKey) ?? '')).toEqual(job);

    const again = startPluginRig('');
    const copy = again.figma.imageNode(await solid(20, 20), { name: 'Result' });
    copy.setPluginData(lastJobKey, JSON.stringify(job));
    again.figma.select([copy]);
    again.run('repeat');
    expect(await initAfterRun(again)).toMatchObject({ quickJob: job });
  });

  it('runs on a fake that refuses what the installed typings do not declare', () => {
    const { figma } = startPluginRig();
    expect(() => figma.api.currentPage).not.toThrow();
    expect(() => (figma.api as unknown as Record<string, unknown>).selectionChangeHandlers).toThrow(/not part of/);
    expect(() => (figma.api.ui as unknown as Record<string, unknown>).send).toThrow(/not part of/);
  });
});
