import { useEffect, useRef, useState } from 'preact/hooks';

/** Images from disk: dropped on the zone, or picked with the file chooser. */
export function DropZone({ onFiles, disabled }: { onFiles: (files: FileList | null) => void; disabled: boolean }) {
  const [over, setOver] = useState(false);
  const zone = useRef<HTMLElement>(null);
  // Listeners go on the element itself: a drop zone is a target for a gesture, not a control.
  useEffect(() => {
    const element = zone.current;
    if (!element) return;
    const onOver = (event: DragEvent) => {
      event.preventDefault();
      setOver(true);
    };
    const onLeave = () => setOver(false);
    const onDrop = (event: DragEvent) => {
      event.preventDefault();
      setOver(false);
      if (!disabled) onFiles(event.dataTransfer?.files ?? null);
    };
    element.addEventListener('dragover', onOver);
    element.addEventListener('dragleave', onLeave);
    element.addEventListener('drop', onDrop);
    return () => {
      element.removeEventListener('dragover', onOver);
      element.removeEventListener('dragleave', onLeave);
      element.removeEventListener('drop', onDrop);
    };
  }, [onFiles, disabled]);
  return (
    <section ref={zone} class={`drop${over ? ' over' : ''}`} data-testid="drop-zone" aria-label="Drop images here">
      Or drop images here, or{' '}
      <label class="file-link">
        choose files
        <input
          type="file"
          accept="image/png,image/jpeg,image/webp"
          multiple
          hidden
          disabled={disabled}
          data-testid="file-input"
          onChange={(e) => {
            onFiles(e.currentTarget.files);
            e.currentTarget.value = '';
          }}
        />
      </label>
    </section>
  );
}
