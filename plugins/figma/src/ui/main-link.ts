import type { ItemFailure, Job, Placement, ResultPiece, ToMain, ToUi } from '../lib/messages.ts';

/** A step the main thread refused for one item (deleted layer, nothing to export, image too large for Figma). */
export class ItemError extends Error {
  constructor(
    readonly code: ItemFailure,
    message: string,
  ) {
    super(message);
  }
}

export interface InputImage {
  readonly bytes: Uint8Array;
  readonly widthPx: number;
  readonly heightPx: number;
}

/**
 * The UI's side of the per-item requests to the main thread: each request waits for the reply with its
 * `itemId`. `receive` is fed every parsed message from the main thread.
 */
export function createMainLink(send: (message: ToMain) => void) {
  const pending = new Map<string, { resolve(message: ToUi): void }>();
  const request = (itemId: string, message: ToMain): Promise<ToUi> =>
    new Promise((resolve) => {
      pending.set(itemId, { resolve });
      send(message);
    });

  return {
    receive(message: ToUi) {
      if (message.type !== 'input' && message.type !== 'applied' && message.type !== 'item-failed') return;
      const waiter = pending.get(message.itemId);
      pending.delete(message.itemId);
      waiter?.resolve(message);
    },
    async readInput(itemId: string, nodeId: string, exportScale: number): Promise<InputImage> {
      const reply = await request(itemId, { type: 'read-input', itemId, nodeId, exportScale });
      if (reply.type === 'item-failed') throw new ItemError(reply.reason, reply.message);
      if (reply.type !== 'input') throw new ItemError('failed', 'Unexpected answer from Figma.');
      return reply;
    },
    async applyResult(input: {
      itemId: string;
      nodeId: string;
      placement: Placement;
      hideOriginal: boolean;
      widthPx: number;
      heightPx: number;
      pieces: ResultPiece[];
      label: string;
      job: Job;
    }): Promise<string> {
      const reply = await request(input.itemId, { type: 'apply-result', ...input });
      if (reply.type === 'item-failed') throw new ItemError(reply.reason, reply.message);
      if (reply.type !== 'applied') throw new ItemError('failed', 'Unexpected answer from Figma.');
      return reply.nodeId;
    },
  };
}

export type MainLink = ReturnType<typeof createMainLink>;
