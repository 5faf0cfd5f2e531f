/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { UsageDay } from '../services/summarize-usage.ts';

const width = 600;
const height = 180;
const top = 12;
const bottom = 24;
const left = 36;

/**
 * Credits spent and added per day as an inline SVG bar chart (no script, no external asset), described for
 * screen readers by its title and summary, with the same numbers in a table behind a disclosure.
 */
export function UsageChart(props: { days: UsageDay[] }) {
  const { days } = props;
  const max = Math.max(1, ...days.map((d) => Math.max(d.spentCredits, d.addedCredits)));
  const plotHeight = height - top - bottom;
  const slot = (width - left) / Math.max(1, days.length);
  const barWidth = Math.max(2, slot / 2 - 1);
  const y = (value: number) => top + plotHeight - (value / max) * plotHeight;
  const totalSpent = days.reduce((sum, d) => sum + d.spentCredits, 0);
  const totalAdded = days.reduce((sum, d) => sum + d.addedCredits, 0);
  const first = days[0]?.date ?? '';
  const last = days.at(-1)?.date ?? '';
  const summary = `${totalSpent} credits spent and ${totalAdded} added between ${first} and ${last}.`;
  return (
    <figure class="chart card" style="margin: 0">
      <figcaption>
        <strong>Usage, last {days.length} days</strong>
        <span class="legend" aria-hidden="true">
          <span>
            <span class="swatch" style="background: var(--bar)" />
            Spent
          </span>
          <span>
            <span class="swatch" style="background: var(--bar-added)" />
            Added
          </span>
        </span>
      </figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby="usage-title usage-desc">
        <title id="usage-title">Credits per day</title>
        <desc id="usage-desc">{summary}</desc>
        <line class="axis" x1={left} y1={top + plotHeight} x2={width} y2={top + plotHeight} />
        <line class="axis" x1={left} y1={top} x2={width} y2={top} stroke-dasharray="3 3" />
        <text x={left - 4} y={top + 4} text-anchor="end">
          {max}
        </text>
        <text x={left - 4} y={top + plotHeight} text-anchor="end">
          0
        </text>
        {days.map((day, i) => {
          const x = left + i * slot;
          return (
            <g>
              <rect
                class="spent"
                x={x + 1}
                y={y(day.spentCredits)}
                width={barWidth}
                height={top + plotHeight - y(day.spentCredits)}
              >
                <title>{`${day.date}: ${day.spentCredits} spent`}</title>
              </rect>
              <rect
                class="added"
                x={x + 1 + barWidth}
                y={y(day.addedCredits)}
                width={barWidth}
                height={top + plotHeight - y(day.addedCredits)}
              >
                <title>{`${day.date}: ${day.addedCredits} added`}</title>
              </rect>
            </g>
          );
        })}
        <text x={left} y={height - 6}>
          {first}
        </text>
        <text x={width} y={height - 6} text-anchor="end">
          {last}
        </text>
      </svg>
      <p class="muted">{summary}</p>
      <details>
        <summary>Usage as a table</summary>
        <table>
          <caption class="visually-hidden">Credits per day</caption>
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col" class="num">
                Spent
              </th>
              <th scope="col" class="num">
                Added
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
