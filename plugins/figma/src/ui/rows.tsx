import { Button, SegmentedControl } from '@create-figma-plugin/ui';
import type { ChainAction, ChainOperation } from '@lumina/plugin-core';
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { BatchItem, ItemPhase } from './run-batch.ts';

/** What a row says about its item, in a few words. */
export function phaseText(state: ItemPhase): string {
  switch (state.phase) {
    case 'waiting':
      return 'Waiting';
    case 'sending':
      return 'Sending…';
    case 'queued':
      return state.position && state.position > 1
        ? `Queued, ${state.position - 1} ahead`
        : state.etaSeconds
          ? `Queued, about ${state.etaSeconds} s`
          : 'Queued';
    case 'processing':
      return `Processing ${state.percent}%`;
    case 'review':
      return 'Ready to review';
    case 'inserting':
      return 'Placing…';
    case 'done':
      return state.note ?? 'Done';
    case 'discarded':
      return 'Discarded (charged)';
    case 'error':
      return state.message;
    case 'canceled':
      return 'Canceled, not charged';
  }
}

/** An object URL for bytes, revoked when they change or the row goes. */
function useImageUrl(bytes: Uint8Array | null): string | null {
  const url = useMemo(
    () => (bytes ? URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'image/png' })) : null),
    [bytes],
  );
  useEffect(() => () => (url ? URL.revokeObjectURL(url) : undefined), [url]);
  return url;
}

/** The result next to the original before it lands in the document: Apply, or Discard. */
function Review(props: { row: BatchItem; onApply: () => void; onDiscard: () => void }) {
  const [side, setSide] = useState<'before' | 'after'>('after');
  const before = useImageUrl(props.row.before);
  const after = useImageUrl(props.row.after);
  const shown = side === 'after' ? after : before;
  return (
    <div class="review" data-testid="review">
      <div class="preview checker">{shown ? <img src={shown} alt={`${props.row.name}, ${side}`} /> : null}</div>
      <SegmentedControl
        options={[
          { value: 'before', children: 'Before' },
          { value: 'after', children: 'After' },
        ]}
        value={side}
        onValueChange={(next) => setSide(next === 'before' ? 'before' : 'after')}
      />
      <div class="row">
        <Button secondary onClick={props.onDiscard}>
          Discard
        </Button>
        <Button onClick={props.onApply}>Apply</Button>
      </div>
    </div>
  );
}

/** A row's result can be worked on again once it is here and charged: waiting for review, or placed. */
const chainable = (row: BatchItem) =>
  (row.state.phase === 'review' || row.state.phase === 'done') && row.taskId !== null && row.after !== null;

function Row(props: {
  row: BatchItem;
  /** The next steps offered for a finished result; empty while a batch runs. */
  next: readonly ChainAction[];
  onChain: (operation: ChainOperation) => void;
  onCancel: () => void;
  onSelect: () => void;
  onDownload: () => void;
  onReview: () => void;
}) {
  const { row } = props;
  const thumb = useImageUrl(row.after ?? row.before);
  const cancelable = ['waiting', 'sending', 'queued', 'processing'].includes(row.state.phase);
  // A chained step's row says which step it is: the layer's name alone would read as the first step's row.
  const name = row.sourceTaskId ? `${row.name} · ${row.label}` : row.name;
  const next = chainable(row) ? props.next : [];
  return (
    <li
      data-phase={row.state.phase}
      data-item={row.itemId}
      data-task-id={row.taskId ?? ''}
      data-source-task-id={row.sourceTaskId ?? ''}
    >
      <div class="thumb checker">{thumb ? <img src={thumb} alt="" /> : null}</div>
      <div class="text">
        <span class="name" title={name}>
          {name}
        </span>
        <span class="status" title={phaseText(row.state)}>
          {phaseText(row.state)}
        </span>
      </div>
      <div class="actions">
        {row.state.phase === 'review' ? (
          <button type="button" class="link" onClick={props.onReview}>
            Review
          </button>
        ) : null}
        {row.state.phase === 'error' && row.after ? (
          <button type="button" class="link" onClick={props.onDownload}>
            Download
          </button>
        ) : null}
        <button type="button" class="link" aria-label={`Select ${row.name}`} onClick={props.onSelect}>
          Select
        </button>
        {cancelable ? (
          <button type="button" class="link" aria-label={`Cancel ${row.name}`} onClick={props.onCancel}>
            Cancel
          </button>
        ) : null}
      </div>
      {next.length > 0 ? (
        <div class="next" data-testid="next-steps">
          {next.map((action) => (
            <button
              key={action.operation}
              type="button"
              class="link"
              data-operation={action.operation}
              onClick={() => props.onChain(action.operation)}
            >
              {action.label}
            </button>
          ))}
        </div>
      ) : null}
    </li>
  );
}

export function Rows(props: {
  rows: readonly BatchItem[];
  running: boolean;
  next: readonly ChainAction[];
  onChain: (row: BatchItem, operation: ChainOperation) => void;
  onCancel: (itemId: string) => void;
  onCancelAll: () => void;
  onApply: (itemId: string) => void;
  onDiscard: (itemId: string) => void;
  onApplyAll: () => void;
  onSelect: (nodeId: string) => void;
  onDownload: (row: BatchItem) => void;
}) {
  const [focused, setFocused] = useState<string | null>(null);
  const inReview = props.rows.filter((row) => row.state.phase === 'review');
  const reviewed = inReview.find((row) => row.itemId === focused) ?? inReview[0];
  if (props.rows.length === 0) return null;
  return (
    <section class="batch">
      {reviewed ? (
        <Review
          key={reviewed.itemId}
          row={reviewed}
          onApply={() => props.onApply(reviewed.itemId)}
          onDiscard={() => props.onDiscard(reviewed.itemId)}
        />
      ) : null}
      {inReview.length > 1 || props.running ? (
        <div class="row">
          {inReview.length > 1 ? <Button onClick={props.onApplyAll}>{`Apply all (${inReview.length})`}</Button> : null}
          {props.running ? (
            <Button secondary onClick={props.onCancelAll}>
              Cancel all
            </Button>
          ) : null}
        </div>
      ) : null}
      <ul class="rows" data-testid="rows">
        {props.rows.map((row) => (
          <Row
            key={row.itemId}
            row={row}
            next={props.next}
            onChain={(operation) => props.onChain(row, operation)}
            onCancel={() => props.onCancel(row.itemId)}
            onSelect={() => props.onSelect(row.nodeId)}
            onDownload={() => props.onDownload(row)}
            onReview={() => setFocused(row.itemId)}
          />
        ))}
      </ul>
    </section>
  );
}
