import type { JSX } from 'preact';
import { useI18n } from '../i18n/index.js';

export interface Series {
  label: string;
  /** A CSS class giving the line its colour (chart-a … chart-e). */
  tone: string;
  values: (number | null)[];
}

const width = 600;
const height = 160;
const pad = { left: 48, right: 8, top: 8, bottom: 20 };

/** A small SVG line chart over time: one line per series, the y axis from 0 to the largest value. */
export function Chart(props: { title: string; times: number[]; series: Series[]; unit: string }): JSX.Element {
  const { num, date } = useI18n();
  const all = props.series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const max = Math.max(1, ...all);
  const n = Math.max(1, props.times.length - 1);
  const x = (i: number) => pad.left + (i / n) * (width - pad.left - pad.right);
  const y = (v: number) => height - pad.bottom - (v / max) * (height - pad.top - pad.bottom);
  const summary = props.series
    .map((s) => {
      const vs = s.values.filter((v): v is number => v !== null);
      return `${s.label}: ${vs.length ? num(Math.round(vs[vs.length - 1]! * 10) / 10) : '—'} ${props.unit}`;
    })
    .join(', ');
  return (
    <figure class="chart">
      <figcaption>
        {props.title} <span class="muted">({summary})</span>
      </figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`${props.title}: ${summary}`}>
        <line x1={pad.left} y1={y(0)} x2={width - pad.right} y2={y(0)} class="axis" />
        <line x1={pad.left} y1={pad.top} x2={pad.left} y2={y(0)} class="axis" />
        <text x={pad.left - 4} y={pad.top + 10} text-anchor="end" class="tick">
          {num(Math.round(max * 10) / 10)}
        </text>
        <text x={pad.left - 4} y={y(0)} text-anchor="end" class="tick">
          {num(0)}
        </text>
        {props.times.length > 0 && (
          <text x={pad.left} y={height - 4} class="tick">
            {date(new Date(props.times[0]!).toISOString())}
          </text>
        )}
        {props.series.map((s) => {
          const pts = s.values.map((v, i) => (v === null ? null : `${x(i).toFixed(1)},${y(v).toFixed(1)}`)).filter((p) => p !== null);
          return <polyline key={s.label} points={pts.join(' ')} class={`line ${s.tone}`} />;
        })}
      </svg>
      <ul class="legend">
        {props.series.map((s) => (
          <li key={s.label}>
            <span class={`swatch ${s.tone}`} aria-hidden="true" /> {s.label}
          </li>
        ))}
      </ul>
    </figure>
  );
}
