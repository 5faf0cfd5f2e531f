import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { besidePosition } from '../src/lib/beside-position.ts';
import { type SelectionSnapshot, taskIdDataKey } from '../src/lib/sandbox-contract.ts';
import { uploadRefusal } from '../src/lib/upload-refusal.ts';
import { createLuminaSandbox } from '../src/sandbox/create-lumina-sandbox.ts';
import { pushSelectionChanges } from '../src/sandbox/push-selection-changes.ts';
import { createPanelApi } from '../src/ui/create-panel-api.ts';
import { FakeBitmap, FakeContainerNode, FakeEditor, FakeMediaContainer, FakeNode } from './fake-express-document.ts';
import { ExperimentalApiError } from './support/experimental-rules.ts';
import { isSdkSubtype, sdkExperimentalSurface } from './support/sdk-experimental-members.ts';

const sdk = sdkExperimentalSurface();
/** A document as a production add-on sees it: every `@experimental` member of the installed SDK throws. */
const productionEditor = (page?: { width: number; height: number }) =>
  new FakeEditor({ membersByType: sdk.membersByType, allowed: false }, page);
/** A document for a build whose manifest sets `requirements.experimentalApis`. */
const experimentalEditor = () => new FakeEditor({ membersByType: sdk.membersByType, allowed: true });

const taskId = 'task_01jabcdefghjkmnpqrstvwxyz0';
const otherTaskId = 'task_01jzzzzzzzzzzzzzzzzzzzzzz0';

const png = async (width: number, height: number) =>
  new Blob(
    [
      new Uint8Array(
        await sharp({ create: { width, height, channels: 4, background: { r: 10, g: 200, b: 30, alpha: 0.5 } } })
          .png()
          .toBuffer(),
      ),
    ],
    { type: 'image/png' },
  );

function imageNode(editor: FakeEditor, at = { x: 100, y: 50 }, size = { width: 200, height: 100 }) {
  return new FakeMediaContainer(editor.doc, { bitmap: new FakeBitmap(400, 200, new Uint8Array()) }, size, at);
}

describe('reading the selection', () => {
  it('names the kind of each selected element and whether it can be replaced in place', () => {
    const editor = productionEditor();
    const image = editor.add(imageNode(editor));
    const video = editor.add(
      new FakeMediaContainer(editor.doc, { bitmap: null, kind: 'UnknownMediaRectangle' }, { width: 50, height: 50 }),
    );
    const text = editor.add(new FakeNode(editor.doc, 'Text', { width: 80, height: 20 }));
    const rect = editor.add(new FakeNode(editor.doc, 'Rectangle', { width: 30, height: 30 }));
    const group = editor.add(new FakeContainerNode(editor.doc, 'Group', { width: 300, height: 300 }));
    editor.selected = [image, video, text, rect, group];

    const { items } = createLuminaSandbox(editor).readSelection();
    expect(items.map((item) => [item.kind, item.replaceable])).toEqual([
      ['image', true],
      ['media', false],
      ['text', false],
      ['shape', false],
      ['group', false],
    ]);
    expect(items.map((item) => item.nodeId)).toEqual([image.id, video.id, text.id, rect.id, group.id]);
  });

  it('gives bounds in the page space of a rendition, through nested groups, with the page size', () => {
    const editor = productionEditor({ width: 1200, height: 800 });
    const group = editor.add(
      new FakeContainerNode(editor.doc, 'Group', { width: 600, height: 600 }, { x: 300, y: 200 }),
    );
    const image = editor.add(imageNode(editor, { x: 40, y: 30 }, { width: 250, height: 125 }), group);
    editor.selected = [image];

    const [item] = createLuminaSandbox(editor).readSelection().items;
    expect(item?.bounds).toEqual({ x: 340, y: 230, width: 250, height: 125 });
    expect(item?.pageSize).toEqual({ width: 1200, height: 800 });
  });

  it('answers an empty list when nothing is selected', () => {
    const editor = productionEditor();
    editor.add(imageNode(editor));
    expect(createLuminaSandbox(editor).readSelection()).toEqual({ items: [] });
  });

  it('refuses arguments to readSelection, which takes none', () => {
    const sandbox = createLuminaSandbox(productionEditor());
    expect(() => sandbox.readSelection({ sneaky: true })).toThrow(TypeError);
  });
});

describe('telling the panel about selection changes', () => {
  /** The panel's real exposed API behind a structured-clone crossing, as `apiProxy('panel')` reaches it. */
  function panelOverTheBoundary() {
    const panel = createPanelApi();
    const seen: SelectionSnapshot[] = [];
    panel.onSelectionChange((snapshot) => seen.push(snapshot));
    const client = {
      async selectionChanged(snapshot: SelectionSnapshot) {
        panel.api.selectionChanged(structuredClone(snapshot));
      },
    };
    return { panel, seen, client };
  }

  it('pushes the new selection to the panel on every selectionChange, as readSelection describes it', () => {
    const editor = productionEditor();
    const image = editor.add(imageNode(editor));
    const text = editor.add(new FakeNode(editor.doc, 'Text', { width: 80, height: 20 }));
    const sandbox = createLuminaSandbox(editor);
    const { seen, client } = panelOverTheBoundary();
    pushSelectionChanges(editor, () => sandbox.readSelection(), client);
    expect(seen).toEqual([]);

    editor.select(image);
    editor.select(image, text);
    const both = sandbox.readSelection();
    editor.select();

    expect(seen.map((snapshot) => snapshot.items.map((item) => item.nodeId))).toEqual([
      [image.id],
      [image.id, text.id],
      [],
    ]);
    expect(seen[1]).toEqual(both);
    expect(seen[0]?.items[0]).toMatchObject({ kind: 'image', replaceable: true, bounds: { x: 100, y: 50 } });
  });

  it('stops pushing once unregistered', () => {
    const editor = productionEditor();
    const image = editor.add(imageNode(editor));
    const sandbox = createLuminaSandbox(editor);
    const { seen, client } = panelOverTheBoundary();
    const stop = pushSelectionChanges(editor, () => sandbox.readSelection(), client);
    editor.select(image);
    expect(editor.selectionHandlerCount).toBe(1);

    stop();
    editor.select();
    expect(editor.selectionHandlerCount).toBe(0);
    expect(seen).toHaveLength(1);
  });

  it('drops a push the panel cannot take yet without failing the event, and pushes the next one', async () => {
    const editor = productionEditor();
    const image = editor.add(imageNode(editor));
    const sandbox = createLuminaSandbox(editor);
    const { seen, client } = panelOverTheBoundary();
    let panelReady = false;
    let refused = 0;
    pushSelectionChanges(editor, () => sandbox.readSelection(), {
      async selectionChanged(snapshot) {
        if (!panelReady) {
          refused += 1;
          throw new Error('the panel has exposed no API yet');
        }
        return client.selectionChanged(snapshot);
      },
    });

    expect(() => editor.select(image)).not.toThrow();
    await Promise.resolve();
    expect(refused).toBe(1);
    panelReady = true;
    editor.select();
    expect(seen).toEqual([{ items: [] }]);
  });

  it('the panel refuses a pushed selection that is not a snapshot, and no listener sees it', () => {
    const { panel, seen } = panelOverTheBoundary();
    expect(() => panel.api.selectionChanged({ items: [{ nodeId: '', kind: 'image' }] })).toThrow();
    expect(() => panel.api.selectionChanged('everything')).toThrow();
    expect(seen).toEqual([]);
  });

  it('lets a panel listener stop listening', () => {
    const { panel, seen } = panelOverTheBoundary();
    const later: SelectionSnapshot[] = [];
    const stop = panel.onSelectionChange((snapshot) => later.push(snapshot));
    panel.api.selectionChanged({ items: [] });
    stop();
    panel.api.selectionChanged({ items: [] });
    expect(later).toHaveLength(1);
    expect(seen).toHaveLength(2);
  });
});

describe('putting a result back', () => {
  it('replaces the selected image in place, inside keepContentActiveDuringAsync, and tags it with the task', async () => {
    const editor = productionEditor();
    const image = editor.add(imageNode(editor));
    editor.selected = [image];
    editor.doc.log.length = 0;

    const outcome = await createLuminaSandbox(editor).placeResult({
      nodeId: image.id,
      placement: 'replace',
      image: await png(640, 320),
      taskId,
    });

    expect(outcome).toEqual({ ok: true, nodeId: image.id, placement: 'replace' });
    expect({ width: image.bitmap?.width, height: image.bitmap?.height }).toEqual({ width: 640, height: 320 });
    expect(image.addOnData.getItem(taskIdDataKey)).toBe(taskId);
    expect(editor.artboard.children.items).toEqual([image]);
    // The bitmap loads first; the edits follow in the callback that keeps the node active.
    expect(editor.doc.log).toEqual([
      `keepContentActiveDuringAsync ${image.id}`,
      'loadBitmapImage',
      'replaceMedia',
      `addOnData.setItem ${taskIdDataKey}`,
    ]);
  });

  it('inserts the result beside the original, right after it in its parent, at the aspect ratio of the result', async () => {
    const editor = productionEditor();
    const before = editor.add(new FakeNode(editor.doc, 'Rectangle', { width: 10, height: 10 }));
    const shape = editor.add(new FakeNode(editor.doc, 'Ellipse', { width: 200, height: 200 }, { x: 100, y: 50 }));
    const after = editor.add(new FakeNode(editor.doc, 'Text', { width: 10, height: 10 }));
    editor.selected = [shape];

    const outcome = await createLuminaSandbox(editor).placeResult({
      nodeId: shape.id,
      placement: 'beside',
      image: await png(400, 200),
      taskId,
    });

    if (!outcome.ok) throw new Error(outcome.message);
    const items = editor.artboard.children.items;
    expect(items.map((node) => node.id)).toEqual([before.id, shape.id, outcome.nodeId, after.id]);
    const inserted = items[2];
    if (!(inserted instanceof FakeMediaContainer)) throw new Error('an image container was inserted');
    expect(inserted.boundsInParent).toEqual({ x: 324, y: 50, width: 200, height: 100 });
    expect(inserted.bitmap?.width).toBe(400);
    expect(inserted.addOnData.getItem(taskIdDataKey)).toBe(taskId);
    expect(shape.addOnData.getItem(taskIdDataKey)).toBeUndefined();
  });

  it('finds the element again when the selection moved on while the task ran', async () => {
    const editor = productionEditor();
    const image = editor.add(imageNode(editor));
    editor.selected = [];
    const outcome = await createLuminaSandbox(editor).placeResult({
      nodeId: image.id,
      placement: 'replace',
      image: await png(20, 10),
      taskId,
    });
    expect(outcome.ok).toBe(true);
    expect(image.bitmap?.width).toBe(20);
  });

  it('says the element is gone when it was deleted, and changes nothing', async () => {
    const editor = productionEditor();
    const outcome = await createLuminaSandbox(editor).placeResult({
      nodeId: 'mediacontainer-404',
      placement: 'beside',
      image: await png(20, 10),
      taskId,
    });
    expect(outcome).toMatchObject({ ok: false, code: 'node_gone' });
    expect(editor.artboard.children.items).toEqual([]);
  });

  it('refuses to replace something that is not an image, without touching the document', async () => {
    const editor = productionEditor();
    const text = editor.add(new FakeNode(editor.doc, 'Text', { width: 80, height: 20 }));
    editor.selected = [text];
    editor.doc.log.length = 0;
    const outcome = await createLuminaSandbox(editor).placeResult({
      nodeId: text.id,
      placement: 'replace',
      image: await png(20, 10),
      taskId,
    });
    expect(outcome).toMatchObject({ ok: false, code: 'not_replaceable' });
    expect(editor.doc.log).toEqual([]);
  });

  it('checks every argument on receipt: a bad task id, a missing image or a string for bytes is refused', async () => {
    const editor = productionEditor();
    const image = editor.add(imageNode(editor));
    editor.selected = [image];
    const sandbox = createLuminaSandbox(editor);
    const blob = await png(20, 10);
    for (const bad of [
      { nodeId: image.id, placement: 'replace', image: blob, taskId: 'DROP TABLE' },
      { nodeId: image.id, placement: 'replace', taskId },
      { nodeId: image.id, placement: 'replace', image: 'iVBORw0KGgo=', taskId },
      { nodeId: image.id, placement: 'on-top', image: blob, taskId },
      null,
    ]) {
      expect(await sandbox.placeResult(bad)).toMatchObject({ ok: false, code: 'invalid_arguments' });
    }
    expect(image.bitmap?.width).toBe(400);
  });
});

describe('re-processing images Lumina inserted', () => {
  it('reads back the task id of an image the add-on put beside the original', async () => {
    const editor = productionEditor();
    const image = editor.add(imageNode(editor));
    editor.selected = [image];
    const sandbox = createLuminaSandbox(editor);
    const outcome = await sandbox.placeResult({
      nodeId: image.id,
      placement: 'beside',
      image: await png(40, 20),
      taskId,
    });
    if (!outcome.ok) throw new Error(outcome.message);
    const inserted = editor.artboard.children.items.find((node) => node.id === outcome.nodeId);
    if (!inserted) throw new Error('inserted node not found');
    editor.selected = [image, inserted];

    expect(sandbox.readSelection().items.map((item) => item.luminaTaskId)).toEqual([null, taskId]);
  });

  it('keeps the newest task id when a result replaces an earlier result', async () => {
    const editor = productionEditor();
    const image = editor.add(imageNode(editor));
    editor.selected = [image];
    const sandbox = createLuminaSandbox(editor);
    await sandbox.placeResult({ nodeId: image.id, placement: 'replace', image: await png(40, 20), taskId });
    await sandbox.placeResult({
      nodeId: image.id,
      placement: 'replace',
      image: await png(40, 20),
      taskId: otherTaskId,
    });
    expect(sandbox.readSelection().items[0]?.luminaTaskId).toBe(otherTaskId);
  });

  it('ignores add-on data that is not a task id', () => {
    const editor = productionEditor();
    const image = editor.add(imageNode(editor));
    editor.doc.setup(() => image.addOnData.setItem(taskIdDataKey, 'not-a-task'));
    editor.selected = [image];
    expect(createLuminaSandbox(editor).readSelection().items[0]?.luminaTaskId).toBeNull();
  });
});

describe('premium content and export rules', () => {
  it('asks Express whether premium media may be exported only in the experimental build', () => {
    const editor = productionEditor();
    const premium = editor.add(
      new FakeMediaContainer(editor.doc, { bitmap: null, premium: true }, { width: 100, height: 100 }),
    );
    editor.selected = [premium];

    expect(createLuminaSandbox(editor).readSelection().items[0]?.mediaExportable).toBeNull();
    expect(premium.mediaRectangle.canExportMediaCalls).toBe(0);

    const experimental = experimentalEditor();
    experimental.selected = [
      experimental.add(
        new FakeMediaContainer(experimental.doc, { bitmap: null, premium: true }, { width: 100, height: 100 }),
      ),
    ];
    expect(
      createLuminaSandbox(experimental, { experimentalApis: true }).readSelection().items[0]?.mediaExportable,
    ).toBe(false);
  });

  const allowed = {
    source: 'page-rendition',
    documentExportAllowed: true,
    pageHasPremiumContent: false,
    userIsPremium: false,
    mediaExportable: null,
  } as const;

  it('lets an ordinary page rendition through', () => {
    expect(uploadRefusal(allowed)).toBeNull();
  });

  it('refuses anything from a document whose review forbids export', () => {
    expect(uploadRefusal({ ...allowed, documentExportAllowed: false })?.code).toBe('export_not_allowed');
    expect(uploadRefusal({ ...allowed, source: 'lumina-result', documentExportAllowed: false })?.code).toBe(
      'export_not_allowed',
    );
  });

  it('refuses a page with premium content for a free user, and allows it for a premium one', () => {
    expect(uploadRefusal({ ...allowed, pageHasPremiumContent: true })?.code).toBe('premium_content');
    expect(uploadRefusal({ ...allowed, pageHasPremiumContent: true, userIsPremium: true })).toBeNull();
  });

  it('refuses media Express says may not be exported', () => {
    expect(uploadRefusal({ ...allowed, userIsPremium: true, mediaExportable: false })?.code).toBe('premium_content');
  });

  it('always lets the user send a file from their own disk', () => {
    expect(
      uploadRefusal({ ...allowed, source: 'file', documentExportAllowed: false, pageHasPremiumContent: true }),
    ).toBeNull();
  });
});

describe('the experimental direct-pixel path', () => {
  const pixels = async () => new Uint8Array(await (await png(30, 20)).arrayBuffer());

  it('is refused in the production build, without touching the image', async () => {
    const editor = productionEditor();
    const image = editor.add(
      new FakeMediaContainer(editor.doc, { bitmap: new FakeBitmap(30, 20, await pixels()) }, { width: 30, height: 20 }),
    );
    editor.selected = [image];
    editor.doc.log.length = 0;
    expect(await createLuminaSandbox(editor).readMedia({ nodeId: image.id })).toMatchObject({
      ok: false,
      code: 'experimental_apis_off',
    });
    expect(editor.doc.log).toEqual([]);
  });

  it('reads the image’s own bytes in the experimental build, inside keepContentActiveDuringAsync', async () => {
    const editor = experimentalEditor();
    const bytes = await pixels();
    const image = editor.add(
      new FakeMediaContainer(editor.doc, { bitmap: new FakeBitmap(30, 20, bytes) }, { width: 30, height: 20 }),
    );
    editor.selected = [image];
    editor.doc.log.length = 0;
    const outcome = await createLuminaSandbox(editor, { experimentalApis: true }).readMedia({ nodeId: image.id });
    if (!outcome.ok) throw new Error(outcome.message);
    expect(new Uint8Array(await outcome.image.arrayBuffer())).toEqual(bytes);
    expect(editor.doc.log).toEqual([`keepContentActiveDuringAsync ${image.id}`]);
  });

  it('refuses premium media and anything that is not an image', async () => {
    const editor = experimentalEditor();
    const premium = editor.add(
      new FakeMediaContainer(
        editor.doc,
        { bitmap: new FakeBitmap(30, 20, await pixels()), premium: true },
        { width: 30, height: 20 },
      ),
    );
    const text = editor.add(new FakeNode(editor.doc, 'Text', { width: 10, height: 10 }));
    editor.selected = [premium, text];
    const sandbox = createLuminaSandbox(editor, { experimentalApis: true });
    expect(await sandbox.readMedia({ nodeId: premium.id })).toMatchObject({ ok: false, code: 'premium_content' });
    expect(await sandbox.readMedia({ nodeId: text.id })).toMatchObject({ ok: false, code: 'not_an_image' });
    expect(await sandbox.readMedia({ node: premium.id })).toMatchObject({ ok: false, code: 'invalid_arguments' });
  });
});

describe('strict fakes: only stable host APIs', () => {
  it('lists the experimental members of the installed SDK from its typings', () => {
    const names = sdk.members.map((entry) => `${entry.owner}.${entry.member}`);
    // The ones this add-on once used or could reach for; the full list comes from the .d.ts files.
    expect(names).toEqual(
      expect.arrayContaining([
        'ArtboardNode.allDescendants',
        'VisualNode.createRendition',
        'ImageRectangleNode.fetchBitmapImage',
        'BitmapImage.data',
      ]),
    );
    // Experimental types are reachable only through experimental members, so refusing those refuses them.
    expect(sdk.typeLeaks).toEqual([]);
  });

  it('the fake document refuses every @experimental member of the installed SDK, on every class it fakes', async () => {
    const editor = productionEditor();
    const group = editor.add(new FakeContainerNode(editor.doc, 'Group', { width: 300, height: 300 }));
    const image = editor.add(imageNode(editor), group);
    const cell = editor.add(
      new FakeMediaContainer(editor.doc, { bitmap: null, cell: true }, { width: 50, height: 50 }),
      group,
    );
    const bitmap = await editor.loadBitmapImage(await png(4, 4));
    const instances: Array<{ sdkType: string; object: object }> = [
      { sdkType: 'ExpressEditor', object: editor },
      { sdkType: 'ExpressContext', object: editor.context },
      { sdkType: 'ActivePageNode', object: editor.context.currentPage },
      { sdkType: 'ArtboardNode', object: editor.artboard },
      { sdkType: 'GroupNode', object: group },
      { sdkType: 'MediaContainerNode', object: image },
      { sdkType: 'GridCellNode', object: cell },
      { sdkType: 'ImageRectangleNode', object: image.mediaRectangle },
      { sdkType: 'BitmapImage', object: bitmap },
      { sdkType: 'StandaloneTextNode', object: editor.add(new FakeNode(editor.doc, 'Text', { width: 8, height: 8 })) },
      { sdkType: 'RectangleNode', object: editor.add(new FakeNode(editor.doc, 'Rectangle', { width: 8, height: 8 })) },
    ];
    const documentMembers = sdk.members.filter((entry) => entry.file.endsWith('express-document-sdk.d.ts'));
    const uncovered: string[] = [];
    const allowed: string[] = [];
    for (const entry of documentMembers) {
      const fakes = instances.filter((instance) => isSdkSubtype(sdk, instance.sdkType, entry.owner));
      if (fakes.length === 0) uncovered.push(`${entry.owner}.${entry.member}`);
      for (const fake of fakes) {
        const read = () => Reflect.get(fake.object, entry.member);
        const test = () => entry.member in fake.object;
        for (const touch of [read, test]) {
          try {
            touch();
            allowed.push(`${fake.sdkType}.${entry.member}`);
          } catch (error) {
            expect(error).toBeInstanceOf(ExperimentalApiError);
          }
        }
      }
    }
    expect(documentMembers.length).toBeGreaterThan(0);
    expect(uncovered).toEqual([]);
    expect(allowed).toEqual([]);
  });

  it('lets a build with experimental APIs in its manifest use them', async () => {
    const editor = experimentalEditor();
    const image = editor.add(
      new FakeMediaContainer(editor.doc, { bitmap: new FakeBitmap(4, 4, new Uint8Array()) }, { width: 4, height: 4 }),
    );
    expect(image.mediaRectangle.canExportMedia()).toBe(true);
  });

  it('refuses an edit of the parent when only the node was kept active, as Express does', async () => {
    const editor = productionEditor();
    const image = editor.add(imageNode(editor));
    const bitmap = await editor.loadBitmapImage(await png(4, 4));
    await expect(
      editor.keepContentActiveDuringAsync(
        image,
        async () => bitmap,
        (loaded) => {
          const container = editor.createImageContainer(loaded, { initialSize: { width: 4, height: 4 } });
          editor.artboard.children.insertAfter(container, image);
        },
      ),
    ).rejects.toThrow(/outside the subtree kept active/);
    expect(editor.artboard.children.items).toEqual([image]);
  });
});

describe('finding the element again and placing beside it inside the artboard', () => {
  it('finds an element inside a group through allChildren when the user selected something else meanwhile', async () => {
    const editor = productionEditor();
    const group = editor.add(new FakeContainerNode(editor.doc, 'Group', { width: 600, height: 600 }, { x: 50, y: 50 }));
    const image = editor.add(imageNode(editor, { x: 10, y: 10 }), group);
    const other = editor.add(new FakeNode(editor.doc, 'Text', { width: 10, height: 10 }));
    editor.selected = [other];
    const outcome = await createLuminaSandbox(editor).placeResult({
      nodeId: image.id,
      placement: 'replace',
      image: await png(20, 10),
      taskId,
    });
    expect(outcome).toEqual({ ok: true, nodeId: image.id, placement: 'replace' });
    expect(image.bitmap?.width).toBe(20);
  });

  it('keeps a result beside an element near the right edge inside the artboard (on its left)', async () => {
    const editor = productionEditor({ width: 800, height: 600 });
    const image = editor.add(imageNode(editor, { x: 550, y: 100 }, { width: 200, height: 100 }));
    editor.selected = [image];
    const outcome = await createLuminaSandbox(editor).placeResult({
      nodeId: image.id,
      placement: 'beside',
      image: await png(400, 200),
      taskId,
    });
    if (!outcome.ok) throw new Error(outcome.message);
    const inserted = editor.artboard.children.items.find((node) => node.id === outcome.nodeId);
    expect(inserted?.boundsInParent).toEqual({ x: 550 - 24 - 200, y: 100, width: 200, height: 100 });
    // The artboard was kept active, not just the node: the insertion is inside that subtree.
    expect(editor.doc.log).toContain(`keepContentActiveDuringAsync ${editor.artboard.id}`);
  });

  it('puts the result of an element inside a group on the artboard, in artboard coordinates', async () => {
    const editor = productionEditor({ width: 1000, height: 800 });
    const group = editor.add(
      new FakeContainerNode(editor.doc, 'Group', { width: 400, height: 400 }, { x: 100, y: 200 }),
    );
    const image = editor.add(imageNode(editor, { x: 20, y: 30 }, { width: 100, height: 100 }), group);
    editor.selected = [image];
    const outcome = await createLuminaSandbox(editor).placeResult({
      nodeId: image.id,
      placement: 'beside',
      image: await png(50, 50),
      taskId,
    });
    if (!outcome.ok) throw new Error(outcome.message);
    const inserted = editor.artboard.children.items.at(-1);
    expect(inserted?.id).toBe(outcome.nodeId);
    expect(inserted?.boundsInParent).toEqual({ x: 100 + 20 + 100 + 24, y: 230, width: 100, height: 100 });
  });

  it('selects an element again for a job row’s Select link, and says when it is gone', () => {
    const editor = productionEditor();
    const image = editor.add(imageNode(editor));
    const sandbox = createLuminaSandbox(editor);
    expect(sandbox.selectNode({ nodeId: image.id })).toEqual({ selected: true });
    expect(editor.selected).toEqual([image]);
    expect(sandbox.selectNode({ nodeId: 'mediacontainer-404' })).toEqual({ selected: false });
    expect(sandbox.selectNode('nope')).toEqual({ selected: false });
  });
});

describe('besidePosition', () => {
  const page = { width: 800, height: 600 };
  it('goes right when there is room, left when not, and never leaves the artboard', () => {
    expect(besidePosition({ x: 100, y: 50, width: 200, height: 100 }, { width: 200, height: 100 }, page)).toEqual({
      x: 324,
      y: 50,
      width: 200,
      height: 100,
    });
    // The case from the field: 724 on an 800-wide page.
    const left = besidePosition({ x: 500, y: 50, width: 200, height: 100 }, { width: 200, height: 100 }, page);
    expect(left).toEqual({ x: 276, y: 50, width: 200, height: 100 });
    for (const original of [
      { x: 0, y: 0, width: 800, height: 600 },
      { x: 300, y: 0, width: 200, height: 600 },
      { x: 700, y: 550, width: 100, height: 50 },
    ]) {
      const box = besidePosition(original, { width: original.width, height: original.height }, page);
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.y).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(page.width);
      expect(box.y + box.height).toBeLessThanOrEqual(page.height);
    }
  });
});
