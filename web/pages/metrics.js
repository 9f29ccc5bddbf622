import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { enc, request } from '../api.js';
import { ErrorMessage, Loading, useLoad } from '../components.js';
import { html } from '../html.js';

const MINUTE = 60_000;

const CHARTS = [
  { id: 'calls', title: 'Calls', unit: 'calls', series: [['calls', 'Calls', '#2563eb']] },
  { id: 'errors', title: 'Errors', unit: 'errors', series: [['errors', 'Errors', '#dc2626']] },
  {
    id: 'duration',
    title: 'Duration (ms)',
    unit: 'ms',
    series: [
      ['p50Ms', 'p50', '#059669'],
      ['p99Ms', 'p99', '#d97706'],
    ],
  },
  {
    id: 'cold',
    title: 'Cold starts',
    unit: 'cold starts',
    series: [['coldStarts', 'Cold starts', '#7c3aed']],
  },
];

export function MetricsTab({ service, fn }) {
  const { data, error, loading, reload } = useLoad(
    () => request(`/console/services/${enc(service)}/functions/${enc(fn)}/metrics`),
    [service, fn],
  );
  useEffect(() => {
    const timer = setInterval(reload, 30_000);
    return () => clearInterval(timer);
  }, []);
  const minutes = data ? fillMinutes(data.minutes) : [];
  return html`<section aria-labelledby="metrics-h">
    <h2 id="metrics-h">Metrics, last hour</h2>
    <button type="button" onClick=${reload} disabled=${loading}>Refresh</button>
    <${ErrorMessage} error=${error} />
    ${loading && !data ? html`<${Loading} what="metrics" />` : null}
    ${data ? html`<p role="status">${data.totals.calls} calls, ${data.totals.errors} errors, ${data.totals.coldStarts} cold starts in the last hour.</p>` : null}
    <div class="charts">${data ? CHARTS.map((chart) => html`<${Chart} key=${chart.id} chart=${chart} minutes=${minutes} />`) : null}</div>
  </section>`;
}

function Chart({ chart, minutes }) {
  const box = useRef(null);
  const plot = useRef(undefined);
  const values = chart.series.map(([field]) => minutes.map((m) => m[field]));
  const summary = chart.series
    .map(([, label], i) => {
      const points = values[i].filter((v) => v !== null && v !== undefined);
      if (points.length === 0) return `${label}: no data`;
      return chart.unit === 'ms'
        ? `${label}: latest ${points[points.length - 1]} ms, highest ${Math.max(...points)} ms`
        : `${label}: ${points.reduce((a, b) => a + b, 0)} in the hour`;
    })
    .join('; ');
  useEffect(() => {
    const data = [minutes.map((m) => m.t / 1000), ...values];
    if (plot.current) {
      plot.current.setData(data);
      return;
    }
    plot.current = new uPlot(
      {
        width: Math.max(280, box.current.clientWidth),
        height: 180,
        scales: { x: { time: true } },
        axes: [{}, { size: 50 }],
        series: [
          {},
          ...chart.series.map(([, label, color]) => ({
            label,
            stroke: color,
            width: 2,
            spanGaps: false,
            points: { show: true, size: 5 },
          })),
        ],
      },
      data,
      box.current,
    );
  });
  useEffect(() => () => plot.current?.destroy(), []);
  const captionId = `chart-${chart.id}`;
  return html`<figure aria-labelledby=${captionId} data-points=${values[0].filter((v) => v).length}>
    <figcaption id=${captionId}>${chart.title}</figcaption>
    <div ref=${box} class="plot" role="img" aria-label=${`${chart.title} chart. ${summary}`}></div>
    <p class="muted small">${summary}</p>
  </figure>`;
}

/** One point per minute of the last hour, zero calls where the history has none (no gaps in counts). */
function fillMinutes(samples) {
  const byMinute = new Map(samples.map((s) => [s.t, s]));
  const last = Math.floor(Date.now() / MINUTE) * MINUTE;
  const out = [];
  for (let t = last - 59 * MINUTE; t <= last; t += MINUTE) {
    out.push(byMinute.get(t) ?? { t, calls: 0, errors: 0, coldStarts: 0, p50Ms: null, p99Ms: null });
  }
  return out;
}
