/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { UsageDay } from '../services/billing/summarize-usage.ts';
import { credits } from './describe-task.ts';

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `2026-12-04` → `4 Dec`. */
const shortDate = (date: string): string => `${Number(date.slice(8, 10))} ${months[Number(date.slice(5, 7)) - 1]}`;

/**
 * The top of the y axis: the largest day rounded up to 1, 2, 4, 6 or 8 × 10ⁿ (at least 2), so the top and the
 * middle tick are both whole numbers of credits.
 */
export function axisMax(largest: number): number {
  if (largest <= 2) return 2;
  const magnitude = 10 ** Math.floor(Math.log10(largest));
  const step = [1, 2, 4, 6, 8, 10].find((m) => m * magnitude >= largest) ?? 10;
  return step * magnitude;
}

/**
 * Credits spent per day as bars on one labelled y axis ("credits spent") over a labelled x axis (the day),
 * with the days credits were added as markers above the plot: additions are usually far larger than a day's
 * spending, so on the same scale they would flatten every bar. The bars are an SVG that stretches to the
 * width (`preserveAspectRatio="none"`, no text inside it); every label is HTML text, so it keeps its CSS size
 * on a phone instead of shrinking with a viewBox. No script and no external asset; the same numbers are in a
 * table behind a disclosure, and the summary is the SVG's description.
 */
export function UsageChart(props: { days: UsageDay[] }) {
  const { days } = props;
  const n = Math.max(1, days.length);
  const max = axisMax(Math.max(0, ...days.map((d) => d.spentCredits)));
  const totalSpent = days.reduce((sum, d) => sum + d.spentCredits, 0);
  const totalAdded = days.reduce((sum, d) => sum + d.addedCredits, 0);
  const first = days[0]?.date ?? '';
  const last = days.at(-1)?.date ?? '';
  const additions = days.filter((d) => d.addedCredits > 0);
  const summary = `${credits(totalSpent)} spent and ${totalAdded} added between ${first} and ${last}.`;
  const slot = 10;
  const barWidth = 7;
  const plotHeight = 100;
  return (
    <figure class="chart card" style="margin: 0">
      <figcaption>
        <strong>Usage, last {days.length} days</strong>
        <span class="legend" aria-hidden="true">
          <span>
            <span class="swatch" style="background: var(--bar)" />
            Credits spent
          </span>
          <span>
            <span class="swatch diamond" style="background: var(--bar-added)" />
            Credits added (marker)
          </span>
        </span>
      </figcaption>
      <div class="chart-body">
        <div class="y-title" data-axis-label="y">
          credits spent
        </div>
        <div class="y-ticks" aria-hidden="true">
          <span class="tick" style="top: 0%">
            {max}
          </span>
          <span class="tick" style="top: 50%">
            {max / 2}
          </span>
          <span class="tick" style="top: 100%">
            0
          </span>
        </div>
        <div class="added-band" aria-hidden="true">
          {additions.map((day) => {
            const i = days.indexOf(day);
            return (
              <span
                class="marker"
                style={`left: ${(((i + 0.5) / n) * 100).toFixed(3)}%`}
                title={`${day.date}: ${day.addedCredits} credits added`}
              />
            );
          })}
        </div>
        <div class="plot">
          <svg
            viewBox={`0 0 ${n * slot} ${plotHeight}`}
            preserveAspectRatio="none"
            role="img"
            aria-labelledby="usage-title usage-desc"
          >
            <title id="usage-title">Credits spent per day</title>
            <desc id="usage-desc">{summary}</desc>
            <line
              class="grid-line"
              x1="0"
              y1={plotHeight / 2}
              x2={n * slot}
              y2={plotHeight / 2}
              stroke-dasharray="3 3"
              vector-effect="non-scaling-stroke"
            />
            {days.map((day, i) => {
              const h = (day.spentCredits / max) * plotHeight;
              return (
                <rect class="spent" x={i * slot + (slot - barWidth) / 2} y={plotHeight - h} width={barWidth} height={h}>
                  <title>{`${day.date}: ${day.spentCredits} credits spent`}</title>
                </rect>
              );
            })}
          </svg>
        </div>
        <div class="x-ticks" aria-hidden="true">
          <span class="tick">{first && shortDate(first)}</span>
          <span class="tick">{last && shortDate(last)}</span>
        </div>
        <div class="x-title" data-axis-label="x">
          day (UTC)
        </div>
      </div>
      <p class="muted">
        {summary}
        {additions.length > 0 && (
          <> Added: {additions.map((d) => `${d.addedCredits} on ${shortDate(d.date)}`).join(', ')}.</>
        )}
      </p>
      <details>
        <summary>Usage as a table</summary>
        <table>
          <caption class="visually-hidden">Credits per day</caption>
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col" class="num">
                Credits spent
              </th>
              <th scope="col" class="num">
                Credits added
              </th>
            </tr>
          </thead>
          <tbody>
            {days.map((day) => (
              <tr>
                <td>{day.date}</td>
                <td class="num">{day.spentCredits}</td>
                <td class="num">{day.addedCredits}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
