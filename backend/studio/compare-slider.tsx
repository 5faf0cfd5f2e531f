import { useState } from 'preact/hooks';

/**
 * Before and after in one frame: the result is drawn over the input and revealed up to the slider, a range
 * input, so arrows and Home/End move it from the keyboard. A checkerboard shows through transparent pixels.
 */
export function CompareSlider(props: {
  before: string;
  after: { url: string; width: number | null; height: number | null };
  zoom: boolean;
  label: string;
}) {
  const [at, setAt] = useState(50);
  return (
    <div class="compare">
      <div class={`stage${props.zoom ? ' zoom' : ''}`} data-testid="compare">
        <div class="frame checker">
          {/* Each side is clipped to its own half, so the checkerboard shows through the result's transparency. */}
          <img
            class="before"
            src={props.before}
            alt={`${props.label}, before`}
            style={{ clipPath: `inset(0 0 0 ${at}%)` }}
          />
          <img
            class="after"
            src={props.after.url}
            width={props.after.width ?? undefined}
            height={props.after.height ?? undefined}
            alt={`${props.label}, after`}
            style={{ clipPath: `inset(0 ${100 - at}% 0 0)` }}
          />
          <span class="divider" style={{ left: `${at}%` }} aria-hidden="true" />
        </div>
      </div>
      <label class="compare-range">
        <span>Before</span>
        <input
          type="range"
          min={0}
          max={100}
          value={at}
          aria-label="Compare before and after"
          aria-valuetext={`${at}% after`}
          onInput={(event) => setAt(Number(event.currentTarget.value))}
        />
        <span>After</span>
      </label>
    </div>
  );
}
