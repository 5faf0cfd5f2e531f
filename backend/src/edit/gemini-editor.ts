import { ApiError, GoogleGenAI, Modality } from '@google/genai';
import { EditFailure } from './edit-failure.ts';

export interface GeminiEditorOptions {
  readonly apiKey: string;
  /** Unset: the SDK's default address. Tests point it at a local server that speaks the same protocol. */
  readonly baseUrl: string | undefined;
  readonly model: string;
  readonly timeoutMs: number;
}

export interface EditRequest {
  readonly image: Buffer;
  readonly mimeType: 'image/png' | 'image/jpeg';
  readonly prompt: string;
}

export interface EditedImage {
  readonly data: Buffer;
  readonly mimeType: string;
  /** What the model said besides the image, if anything. */
  readonly text: string | undefined;
}

/** One Gemini request: sends the image and the instruction, returns the image or throws an `EditFailure`. */
export interface GeminiEditor {
  edit(request: EditRequest): Promise<EditedImage>;
}

const blockedFinishReasons = new Set([
  'SAFETY',
  'IMAGE_SAFETY',
  'PROHIBITED_CONTENT',
  'IMAGE_PROHIBITED_CONTENT',
  'BLOCKLIST',
  'SPII',
]);
const recitationFinishReasons = new Set(['RECITATION', 'IMAGE_RECITATION']);
const retryableStatuses = new Set([408, 429, 500, 502, 503, 504]);

/**
 * Magic edits through `@google/genai`. The SDK's own retries stay off: the caller retries with backoff and
 * honours `Retry-After`, which the SDK's errors do not carry, so a fetch wrapper reads it off each answer.
 */
export function createGeminiEditor(options: GeminiEditorOptions): GeminiEditor {
  const ai = new GoogleGenAI({
    apiKey: options.apiKey,
    httpOptions: { ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}), timeout: options.timeoutMs },
  });

  return {
    async edit(request) {
      let retryAfterMs: number | undefined;
      const fetchRecordingRetryAfter: typeof fetch = async (input, init) => {
        const response = await fetch(input, init);
        retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
        return response;
      };

      let response: Awaited<ReturnType<typeof ai.models.generateContent>>;
      try {
        response = await ai.models.generateContent({
          model: options.model,
          contents: [
            {
              role: 'user',
              parts: [
                { inlineData: { mimeType: request.mimeType, data: request.image.toString('base64') } },
                { text: request.prompt },
              ],
            },
          ],
          config: { responseModalities: [Modality.IMAGE], httpOptions: { fetch: fetchRecordingRetryAfter } },
        });
      } catch (error) {
        throw failureOfRequest(error, retryAfterMs);
      }
      return imageOf(response);
    },
  };
}

type Reply = Awaited<ReturnType<GoogleGenAI['models']['generateContent']>>;

/** The image in a reply, or the reason there is none. */
function imageOf(reply: Reply): EditedImage {
  const feedback = reply.promptFeedback;
  if (feedback?.blockReason) {
    const why = feedback.blockReasonMessage ? `: ${feedback.blockReasonMessage}` : '';
    throw new EditFailure('prompt_blocked', `The model refused the instruction (${feedback.blockReason})${why}.`);
  }
  const candidate = reply.candidates?.[0];
  if (!candidate) throw new EditFailure('model_failed', 'The model answered with no candidate and no reason.');
  const parts = candidate.content?.parts ?? [];
  const text = parts.flatMap((part) => (part.text && !part.thought ? [part.text.trim()] : [])).join(' ') || undefined;
  const said = text ? ` The model said: "${truncate(text, 300)}"` : '';
  const reason = candidate.finishReason ?? 'STOP';
  if (blockedFinishReasons.has(reason)) {
    throw new EditFailure('edit_blocked', `The model would not make this image (${reason}).${said}`);
  }
  if (recitationFinishReasons.has(reason)) {
    throw new EditFailure('edit_recitation', `The image would reproduce protected material (${reason}).${said}`);
  }
  const image = parts.find((part) => part.inlineData?.data && part.inlineData.mimeType?.startsWith('image/'));
  if (image?.inlineData?.data) {
    return {
      data: Buffer.from(image.inlineData.data, 'base64'),
      mimeType: image.inlineData.mimeType ?? 'image/png',
      text,
    };
  }
  if (reason === 'NO_IMAGE' || reason === 'IMAGE_OTHER' || reason === 'STOP') {
    throw new EditFailure('no_image_returned', `The model answered without an image (${reason}).${said}`);
  }
  throw new EditFailure('model_failed', `The model stopped without an image (${reason}).${said}`);
}

/** A request that got no usable answer: HTTP errors by status, anything else (network, timeout, bad JSON). */
function failureOfRequest(error: unknown, retryAfterMs: number | undefined): EditFailure {
  if (error instanceof ApiError) {
    const detail = apiErrorDetail(error.message);
    const wait = retryAfterMs ?? detail.retryDelayMs;
    if (retryableStatuses.has(error.status)) {
      return new EditFailure('model_unavailable', `Gemini answered ${error.status}: ${detail.message}`, {
        retryable: true,
        retryAfterMs: wait,
      });
    }
    return new EditFailure('model_rejected', `Gemini refused the request (${error.status}): ${detail.message}`);
  }
  if (error instanceof SyntaxError) {
    return new EditFailure('model_failed', `Gemini's answer was not valid JSON: ${error.message}`);
  }
  const message = error instanceof Error ? error.message : String(error);
  // Connection refused or reset, DNS, the per-request timeout: another request may well succeed.
  return new EditFailure('model_unavailable', `Could not reach Gemini: ${message}`, { retryable: true });
}

/** The SDK puts the error body's JSON in the message: its `error.message` and any `RetryInfo.retryDelay`. */
function apiErrorDetail(message: string): { message: string; retryDelayMs: number | undefined } {
  try {
    const body = JSON.parse(message) as {
      error?: { message?: unknown; details?: Array<{ '@type'?: unknown; retryDelay?: unknown }> };
    };
    const retryInfo = body.error?.details?.find((d) => String(d['@type']).endsWith('google.rpc.RetryInfo'));
    const delay = typeof retryInfo?.retryDelay === 'string' ? /^(\d+(?:\.\d+)?)s$/.exec(retryInfo.retryDelay) : null;
    return {
      message: typeof body.error?.message === 'string' ? body.error.message : truncate(message, 300),
      retryDelayMs: delay?.[1] ? Math.round(Number(delay[1]) * 1000) : undefined,
    };
  } catch {
    return { message: truncate(message, 300), retryDelayMs: undefined };
  }
}

/** `Retry-After` as seconds or an HTTP date, in milliseconds from now. */
export function parseRetryAfter(header: string | null): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

const truncate = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);
