import {
  Capabilities,
  createLuminaClient,
  ErrorCode,
  LuminaApiError,
  OperationRequest,
  TaskErrorCode,
} from '@lumina/shared';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServedBackend, serveBackend, signUpAndApprover } from '../../../e2e/support/served-backend.ts';
import {
  apiErrorWords,
  canChain,
  chainActions,
  creditsLabel,
  describeOptionForm,
  explainError,
  initialOptions,
  type OptionField,
  paramsOf,
  planChainedStep,
  runBounded,
  signInWithBrowser,
  signOut,
  taskErrorWords,
} from '../src/index.ts';

let served: ServedBackend;
let capabilities: Capabilities;

beforeAll(async () => {
  served = await serveBackend({ GEMINI_API_KEY: 'core-test-key' });
  // The forms are built from what the API answers while a gpu-worker is live.
  await served.t.announceGpuWorker();
  const answer = await fetch(`${served.origin}/api/v1/capabilities`);
  capabilities = Capabilities.parse(await answer.json());
});
afterAll(async () => {
  await served?.close();
});

const capabilityOf = (operation: string) => {
  const found = capabilities.operations.find((candidate) => candidate.operation === operation);
  if (!found) throw new Error(`no ${operation}`);
  return found;
};
const host = { name: 'Figma', maxImageSidePx: 4096 };
const fieldOf = (fields: readonly OptionField[], key: string) => fields.find((field) => field.key === key);

describe('plain words', () => {
  it('word every API, task and client code, quoting the upload limit from capabilities', () => {
    const words = apiErrorWords({ maxUploadBytes: 7 * 1024 * 1024, maxOutputSidePx: 16000 });
    for (const code of ErrorCode.options) expect(words[code]).toMatch(/\S/);
    for (const code of TaskErrorCode.options) expect(taskErrorWords[code]).toMatch(/\S/);
    expect(words.upload_too_large).toContain('7 MB');
    expect(words.upload_too_large).not.toContain('25 MB');
    expect(words.spending_cap_reached).toMatch(/spending cap/);
    expect(taskErrorWords.storage_failed).toMatch(/not charged/);
  });

  it('explain an invalid request in plain words, never with the validator’s text', async () => {
    const team = await served.t.newTeam(5);
    const client = createLuminaClient({ baseUrl: served.origin, token: team.apiKey });
    const png = await sharp({ create: { width: 32, height: 32, channels: 4, background: '#3366ff' } })
      .png()
      .toBuffer();
    const image = new Blob([new Uint8Array(png)], { type: 'image/png' });
    const refused = await client.submit({ image, operation: 'upscale', params: { scale: '3' } }).catch((e) => e);
    expect(refused).toBeInstanceOf(LuminaApiError);
    expect(refused.code).toBe('invalid_request');
    const words = explainError(refused);
    expect(words).toBe(apiErrorWords(null).invalid_request);
    expect(words).not.toMatch(/✖|params\.|Invalid input/);
  });

  it('explain a task’s own error as not charged, a host code with the host’s words, and anything else generically', () => {
    expect(explainError({ code: 'internal_error', message: 'boom at worker.ts:12' })).toBe(
      taskErrorWords.internal_error,
    );
    expect(explainError({ code: 'storage_failed', message: 'S3 503' })).toMatch(/not charged/);
    expect(explainError(new LuminaApiError('network_error', 'fetch failed'))).toMatch(/offline/);
    expect(explainError({ code: 'node-gone' }, { hostWords: { 'node-gone': 'The layer was deleted.' } })).toBe(
      'The layer was deleted.',
    );
    expect(explainError(new Error('✖ Invalid input → at params.scale'))).not.toMatch(/Invalid input/);
    expect(explainError({ code: 'constructor' })).toMatch(/Something went wrong/);
  });

  it('count credits in the right number', () => {
    expect(creditsLabel(1)).toBe('1 credit');
    expect(creditsLabel(0)).toBe('0 credits');
    expect(creditsLabel(6)).toBe('6 credits');
  });
});

describe('option forms from capabilities', () => {
  it('start every operation at values the API accepts as they are', () => {
    for (const capability of capabilities.operations) {
      const params = paramsOf(capability, {
        ...initialOptions(capability),
        ...(capability.operation === 'magic-edit' ? { prompt: 'make it sunset' } : {}),
      });
      const parsed = OperationRequest.safeParse({ operation: capability.operation, params });
      expect(parsed.success, `${capability.operation}: ${JSON.stringify(params)}`).toBe(true);
    }
    expect(paramsOf(capabilityOf('upscale'), initialOptions(capabilityOf('upscale')))).toEqual({
      scale: '2',
      model: 'slim',
      format: 'png',
    });
  });

  it('speak the designer’s language for background removal, showing dependent controls only where they act', () => {
    const capability = capabilityOf('remove-background');
    const untouched = describeOptionForm(capability, initialOptions(capability), {
      inputs: [{ widthPx: 900, heightPx: 600 }],
      host,
    });
    expect(untouched.fields.map((field) => field.label)).toEqual(['Trim to subject', 'Background', 'Output']);
    expect(fieldOf(untouched.fields, 'channels')).toMatchObject({
      kind: 'choice',
      value: 'rgba',
      options: [{ label: 'Cut-out' }, { label: 'Mask only' }],
    });
    expect(untouched.actionLabel).toBe('Remove background · 1 credit');
    expect(paramsOf(capability, initialOptions(capability))).toEqual({ format: 'png', crop: false, channels: 'rgba' });

    const trimmed = {
      ...initialOptions(capability),
      crop: true,
      crop_margin: 24,
      background: 'colour',
      bg_color: '#ff8800',
    };
    const form = describeOptionForm(capability, trimmed, { inputs: [{ widthPx: 900, heightPx: 600 }], host });
    expect(fieldOf(form.fields, 'crop_margin')).toMatchObject({ kind: 'slider', value: 24, max: 500, unit: 'px' });
    expect(fieldOf(form.fields, 'bg_color')).toMatchObject({ kind: 'color', value: '#ff8800' });
    expect(paramsOf(capability, trimmed)).toEqual({
      format: 'png',
      crop: true,
      crop_margin: '24px',
      bg_color: 'ff8800',
      channels: 'rgba',
    });
    const mask = { ...trimmed, channels: 'alpha' };
    expect(fieldOf(describeOptionForm(capability, mask, { inputs: [], host }).fields, 'background')).toBeUndefined();
    expect(
      OperationRequest.safeParse({ operation: 'remove-background', params: paramsOf(capability, mask) }).success,
    ).toBe(true);
  });

  it('show an upscale’s output size, the host’s 4096 px rule and the price before sending', () => {
    const capability = capabilityOf('upscale');
    const inputs = [{ widthPx: 900, heightPx: 600 }];
    const two = describeOptionForm(capability, initialOptions(capability), { inputs, host });
    expect(two.outputSize).toBe('→ 1800 × 1200 px');
    expect(two.hostLimitWarning).toBeNull();
    expect(fieldOf(two.fields, 'scale')).toMatchObject({
      kind: 'choice',
      value: '2',
      options: [{ label: '2×' }, { label: '4×' }],
    });
    expect(fieldOf(two.fields, 'model')).toMatchObject({
      options: [{ label: 'Fast', hint: expect.any(String) }, { label: 'Balanced' }, { label: 'Best' }],
    });
    const big = describeOptionForm(
      capability,
      { ...initialOptions(capability), scale: '4' },
      {
        inputs: [{ widthPx: 1200, heightPx: 800 }, ...inputs],
        host,
      },
    );
    expect(big.outputSize).toBe('→ up to 4800 × 3200 px');
    expect(big.hostLimitWarning).toMatch(/1 of 2 results are over 4096 px/);
    expect(big.actionLabel).toMatch(/^Upscale 2 layers · \d+ credits$/);
  });

  it('hold a magic edit back until it says what to change, and nothing at all without a selection', () => {
    const capability = capabilityOf('magic-edit');
    const inputs = [{ widthPx: 64, heightPx: 64 }];
    expect(describeOptionForm(capability, initialOptions(capability), { inputs, host }).blocker).toMatch(
      /what to change/,
    );
    expect(describeOptionForm(capability, { prompt: 'add a cat' }, { inputs, host }).blocker).toBeNull();
    expect(describeOptionForm(capability, { prompt: 'add a cat' }, { inputs: [], host }).blocker).toBe(
      'Select an image layer first.',
    );
  });
});

describe('chained steps from a finished result', () => {
  const result = { taskId: 'task_01JCHAINEDSOURCE0000000000', widthPx: 451, heightPx: 300 };
  // Read in each test: the capabilities arrive in beforeAll, after this block is collected.
  const withoutMagicEdit = () => ({
    ...capabilities,
    operations: capabilities.operations.map((op) => (op.operation === 'magic-edit' ? { ...op, available: false } : op)),
  });

  it('offer "Upscale this" and "Edit again", and "Edit again" only while magic edit is available', () => {
    expect(chainActions(capabilities)).toEqual([
      { operation: 'upscale', label: 'Upscale this' },
      { operation: 'magic-edit', label: 'Edit again' },
    ]);
    expect(chainActions(withoutMagicEdit())).toEqual([{ operation: 'upscale', label: 'Upscale this' }]);
    expect(canChain(withoutMagicEdit(), 'magic-edit')).toBe(false);
    // A removal is where a chain starts, not a step offered after one; nothing is offered before capabilities.
    expect(canChain(capabilities, 'remove-background')).toBe(false);
    expect(chainActions(null)).toEqual([]);
    expect(planChainedStep(withoutMagicEdit(), result, { operation: 'magic-edit', host })).toBeNull();
  });

  it('plan an untouched upscale of a result by its task id, at the capability’s defaults and priced for the result', () => {
    const step = planChainedStep(capabilities, result, { operation: 'upscale', host });
    if (step?.kind !== 'ready') throw new Error(`expected a ready step, got ${JSON.stringify(step)}`);
    expect(step.sourceTaskId).toBe(result.taskId);
    expect(step.params).toEqual({ scale: '2', model: 'slim', format: 'png' });
    expect(OperationRequest.safeParse({ operation: 'upscale', params: step.params }).success).toBe(true);
    expect(step.form.outputSize).toBe('→ 902 × 600 px');
    const same = describeOptionForm(capabilityOf('upscale'), initialOptions(capabilityOf('upscale')), {
      inputs: [result],
      host,
      limits: capabilities.limits,
    });
    expect(step.form.credits).toBe(same.credits);
    // What the person last set on the upscale form is kept; the rest stays at its default.
    const four = planChainedStep(capabilities, result, { operation: 'upscale', values: { scale: '4' }, host });
    expect(four?.kind === 'ready' && four.params).toEqual({ scale: '4', model: 'slim', format: 'png' });
  });

  it('hold back an edit with no instruction yet, and an upscale past the API’s limits, saying what to do first', () => {
    const blocked = planChainedStep(capabilities, result, { operation: 'magic-edit', host });
    expect(blocked).toMatchObject({
      kind: 'blocked',
      operation: 'magic-edit',
      blocker: expect.stringMatching(/what to change/),
    });
    expect(blocked?.kind === 'blocked' && blocked.advice).toMatch(/what to change.*Then choose Edit again\.$/);
    const edit = planChainedStep(capabilities, result, {
      operation: 'magic-edit',
      values: { prompt: ' add a hat ' },
      host,
    });
    expect(edit?.kind === 'ready' && edit.params).toMatchObject({ prompt: 'add a hat', format: 'png' });

    const huge = { ...result, widthPx: capabilities.limits.maxOutputSidePx, heightPx: 100 };
    const over = planChainedStep(capabilities, huge, { operation: 'upscale', host });
    expect(over).toMatchObject({
      kind: 'blocked',
      advice: expect.stringMatching(/px limit.*Then choose Upscale this\.$/),
    });
  });
});

describe('the bounded batch runner', () => {
  it('keeps at most three items in flight and runs every one, whatever some throw', async () => {
    let inFlight = 0;
    let most = 0;
    const settled: number[] = [];
    const failed: number[] = [];
    const gates = Array.from({ length: 8 }, () => {
      let resolve = () => {};
      const promise = new Promise<void>((done) => {
        resolve = done;
      });
      return { promise, resolve };
    });
    const running = runBounded(
      gates,
      async (gate, index) => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await gate.promise;
        inFlight -= 1;
        settled.push(index);
        if (index % 3 === 0) throw new Error('item failed');
      },
      { onError: (_error, _gate, index) => failed.push(index) },
    );
    for (const gate of gates) {
      await Promise.resolve();
      gate.resolve();
    }
    await running;
    expect(most).toBe(3);
    expect(settled.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(failed).toEqual([0, 3, 6]);
  });
});

describe('sign-in and sign-out', () => {
  it('sign in through the browser pairing and revoke the session on sign-out, so the token stops working', async () => {
    const approver = await signUpAndApprover(served);
    const anonymous = createLuminaClient({ baseUrl: served.origin });
    const opened: string[] = [];
    const token = await signInWithBrowser(anonymous, {
      client: 'figma',
      label: 'Figma',
      openUrl: (url) => opened.push(url),
      onPairing: (pairing) => void approver.approve(pairing.userCode),
    });
    expect(opened).toHaveLength(1);
    const client = anonymous.withToken(token);
    expect((await client.me()).activeTeamId).toBe(approver.personalTeamId);

    expect(await signOut(client)).toBe('revoked');
    const after = await client.me().catch((error: unknown) => error);
    expect(after).toMatchObject({ code: 'unauthorized' });
  });

  it('only forget an API key, which other uses of the team still need', async () => {
    const team = await served.t.newTeam(1);
    const client = createLuminaClient({ baseUrl: served.origin, token: team.apiKey });
    expect(await signOut(client)).toBe('forgotten');
    expect((await client.billing()).balance).toBe(1);
  });
});
