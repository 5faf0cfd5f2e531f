import type { BillingOverview, Capabilities, LuminaClient } from '@lumina/shared';
import { useEffect, useRef, useState } from 'preact/hooks';
import { checkFile } from './check-file.ts';
import { ImageCard, type StudioImage } from './image-card.tsx';

/**
 * The studio: pick, drop or paste images (checked against the server's limits before any upload), then work
 * on each in its own card. The balance shown is the team's, refreshed after every task settles.
 */
export function StudioApp(props: { client: LuminaClient; teamId: string }) {
  const { client } = props;
  const [capabilities, setCapabilities] = useState<Capabilities | null>(null);
  const [billing, setBilling] = useState<BillingOverview | null>(null);
  const [images, setImages] = useState<StudioImage[]>([]);
  const [refusals, setRefusals] = useState<string[]>([]);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const nextKey = useRef(1);
  const picker = useRef<HTMLInputElement>(null);

  const refreshBilling = () => {
    client.billing().then(setBilling, () => undefined);
  };

  useEffect(() => {
    client
      .capabilities()
      .then(setCapabilities, (e: unknown) => setLoadError(e instanceof Error ? e.message : String(e)));
    refreshBilling();
  }, []);

  async function add(files: readonly File[]) {
    if (!capabilities) return;
    const refused: string[] = [];
    const added: StudioImage[] = [];
    for (const file of files) {
      const why = checkFile(file, capabilities.limits);
      if (why) {
        refused.push(why);
        continue;
      }
      // The size lets an upscale show its result size and price before anything is sent.
      const size = await createImageBitmap(file).then(
        (bitmap) => {
          const dims = { width: bitmap.width, height: bitmap.height };
          bitmap.close();
          return dims;
        },
        () => ({ width: null, height: null }),
      );
      added.push({ key: nextKey.current++, file, original: { url: URL.createObjectURL(file), taskId: null, ...size } });
    }
    setRefusals(refused);
    setImages((list) => [...list, ...added]);
  }

  useEffect(() => {
    const onPaste = (event: ClipboardEvent) => {
      const files = [...(event.clipboardData?.files ?? [])];
      if (files.length > 0) {
        event.preventDefault();
        void add(files);
      }
    };
    document.addEventListener('paste', onPaste);
    return () => document.removeEventListener('paste', onPaste);
  });

  const free = billing?.plan === 'free';
  return (
    <div class="studio">
      <div class="studio-bar">
        <h1>Studio</h1>
        <p class="balance" aria-live="polite">
          Balance: <strong data-testid="studio-balance">{billing ? `${billing.balance} credits` : '…'}</strong>
        </p>
      </div>
      {free && (
        <p class="notice">
          Results on the free plan carry a Lumina watermark.{' '}
          <a href="/billing">Remove the watermark by buying any credit pack</a>.
        </p>
      )}
      {loadError && (
        <p class="alert" role="alert">
          The studio could not load the server's capabilities: {loadError}
        </p>
      )}
      <section
        class={`dropzone${dragging ? ' dragging' : ''}`}
        aria-label="Add images"
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(event) => {
          event.preventDefault();
          setDragging(false);
          void add([...(event.dataTransfer?.files ?? [])]);
        }}
      >
        <p>
          <strong>Drop images here</strong>, paste one (Ctrl/⌘ V), or
        </p>
        <button type="button" onClick={() => picker.current?.click()} disabled={!capabilities}>
          Choose images…
        </button>
        <input
          ref={picker}
          class="visually-hidden"
          type="file"
          multiple
          tabIndex={-1}
          aria-hidden="true"
          data-testid="picker"
          onChange={(event) => {
            void add([...(event.currentTarget.files ?? [])]);
            event.currentTarget.value = '';
          }}
        />
        {capabilities && (
          <p class="muted hint">
            {capabilities.limits.inputFormats.map((f) => f.toUpperCase()).join(', ')} · up to{' '}
            {Math.round(capabilities.limits.maxUploadBytes / 1024 / 1024)} MB each
          </p>
        )}
      </section>
      {refusals.length > 0 && (
        <ul class="alert refusals" role="alert">
          {refusals.map((why) => (
            <li>{why}</li>
          ))}
        </ul>
      )}
      {capabilities &&
        images.map((image) => (
          <ImageCard
            key={image.key}
            image={image}
            client={client}
            teamId={props.teamId}
            capabilities={capabilities}
            onSettled={refreshBilling}
            onRemove={() => setImages((list) => list.filter((other) => other.key !== image.key))}
          />
        ))}
    </div>
  );
}
