import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the Generative Language API's `models/{model}:generateContent`, speaking its wire format
 * (JSON over HTTP, `x-goog-api-key`, Google's error envelope), so the real `@google/genai` SDK can be pointed at
 * it with `httpOptions.baseUrl`. Each test scripts the answers; the stand-in records every request it got.
 */
export interface GeminiStandIn {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Answers for the next requests, in order; once used up, the last one repeats. */
  script(...replies: Reply[]): void;
  close(): Promise<void>;
}

export interface RecordedRequest {
  readonly at: number;
  readonly path: string;
  readonly model: string;
  readonly apiKey: string | undefined;
  readonly prompt: string | undefined;
  readonly image: { mimeType: string; bytes: Buffer } | undefined;
  readonly responseModalities: unknown;
}

/** `hang`: never answer (until the stand-in closes), like a request cut off by a dying worker. */
export type Reply = AnsweredReply | { readonly hang: true };

export interface AnsweredReply {
  readonly status: number;
  readonly headers?: Record<string, string>;
  /** An object is sent as JSON; a string is sent as is (to send something that is not JSON). */
  readonly body: unknown;
}

export async function startGeminiStandIn(apiKey: string): Promise<GeminiStandIn> {
  const requests: RecordedRequest[] = [];
  let script: Reply[] = [];
  let last: Reply | undefined;
  const hanging: ServerResponse[] = [];

  const server = createServer((req, res) => {
    readBody(req)
      .then((raw) => answer(req, res, raw))
      .catch((error: unknown) => {
        res.writeHead(500).end(String(error));
      });
  });

  const answer = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    const match = /^\/v1beta\/models\/([^/:]+):generateContent$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !match?.[1]) {
      return send(res, googleError(404, 'NOT_FOUND', `no route for ${req.method} ${req.url}`));
    }
    const key = req.headers['x-goog-api-key'];
    const body = JSON.parse(raw) as {
      contents?: Array<{ parts?: Array<{ text?: string; inlineData?: { mimeType: string; data: string } }> }>;
      generationConfig?: { responseModalities?: unknown };
    };
    const parts = body.contents?.flatMap((c) => c.parts ?? []) ?? [];
    const inline = parts.find((p) => p.inlineData)?.inlineData;
    requests.push({
      at: Date.now(),
      path: req.url ?? '',
      model: match[1],
      apiKey: typeof key === 'string' ? key : undefined,
      prompt: parts.find((p) => p.text !== undefined)?.text,
      image: inline ? { mimeType: inline.mimeType, bytes: Buffer.from(inline.data, 'base64') } : undefined,
      responseModalities: body.generationConfig?.responseModalities,
    });
    if (key !== apiKey) return send(res, googleError(400, 'INVALID_ARGUMENT', 'API key not valid.'));
    const reply = script.shift() ?? last;
    if (!reply) return send(res, googleError(500, 'INTERNAL', 'the test scripted no answer'));
    last = reply;
    if ('hang' in reply) {
      hanging.push(res);
      return;
    }
    return send(res, reply);
  };

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script(...replies) {
      script = [...replies];
      last = undefined;
      requests.length = 0;
    },
    close: () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function send(res: ServerResponse, reply: AnsweredReply) {
  const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
  res.writeHead(reply.status, { 'content-type': 'application/json; charset=UTF-8', ...reply.headers });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const usageMetadata = { promptTokenCount: 1290, candidatesTokenCount: 1290, totalTokenCount: 2580 };

/** A successful edit: the model's image, optionally with a sentence of text before it, as the model often adds. */
export const imageReply = (png: Buffer, text?: string): AnsweredReply => ({
  status: 200,
  body: {
    candidates: [
      {
        content: {
          role: 'model',
          parts: [...(text ? [{ text }] : []), { inlineData: { mimeType: 'image/png', data: png.toString('base64') } }],
        },
        finishReason: 'STOP',
        index: 0,
      },
    ],
    usageMetadata,
    modelVersion: 'gemini-2.5-flash-image',
    responseId: 'stand-in',
  },
});

/** The prompt itself refused: no candidates, `promptFeedback.blockReason`. */
export const promptBlockedReply = (blockReason: string): AnsweredReply => ({
  status: 200,
  body: { promptFeedback: { blockReason }, usageMetadata, modelVersion: 'gemini-2.5-flash-image' },
});

/** A candidate that stopped for `finishReason`, with no image and maybe some text. */
export const finishReasonReply = (finishReason: string, text?: string): AnsweredReply => ({
  status: 200,
  body: {
    candidates: [
      {
        content: { role: 'model', parts: text ? [{ text }] : [] },
        finishReason,
        index: 0,
      },
    ],
    usageMetadata,
    modelVersion: 'gemini-2.5-flash-image',
  },
});

/** Google's error envelope with an HTTP status, e.g. 429 RESOURCE_EXHAUSTED. */
export const googleError = (
  status: number,
  googleStatus: string,
  message: string,
  extra: { headers?: Record<string, string>; retryDelay?: string } = {},
): AnsweredReply => ({
  status,
  ...(extra.headers ? { headers: extra.headers } : {}),
  body: {
    error: {
      code: status,
      message,
      status: googleStatus,
      ...(extra.retryDelay
        ? { details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: extra.retryDelay }] }
        : {}),
    },
  },
});
