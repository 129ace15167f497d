import type { JSX } from 'preact';
import { api, enc } from '../api.js';
import { useI18n } from '../i18n/index.js';
import { Chart } from '../ui/chart.js';
import { ErrorBox, useLoad } from '../ui/kit.js';
import type { AppInfo } from './app-types.js';

interface AppMetrics {
  requests: { t: number; requests: number; status: Record<'2xx' | '3xx' | '4xx' | '5xx', number>; p50_ms: number | null; p95_ms: number | null }[];
  memory: { t: number; mb: number }[];
  partial: boolean;
}

/** The last hour: requests, status classes, latency (the router's access lines) and memory (container samples). */
export function Metrics(props: { app: AppInfo }): JSX.Element {
  const { t } = useI18n();
  const m = useLoad(() => api<AppMetrics>('GET', `/apps/${enc(props.app.name)}/metrics`), [props.app.name], 15_000);
  const r = m.data?.requests ?? [];
  const times = r.map((p) => p.t);
  return (
    <div>
      <h2>{t('metrics.title')}</h2>
      <ErrorBox error={m.error} />
      {m.data?.partial && <p class="muted">{t('metrics.partial')}</p>}
      {m.data && (
        <div class="charts">
          <Chart title={t('metrics.requests')} unit={t('metrics.perMinute')} times={times} series={[{ label: t('metrics.requests'), tone: 'chart-a', values: r.map((p) => p.requests) }]} />
          <Chart
            title={t('metrics.status')}
            unit={t('metrics.perMinute')}
            times={times}
            series={(['2xx', '3xx', '4xx', '5xx'] as const).map((c, i) => ({ label: c, tone: `chart-${'abcd'[i]}`, values: r.map((p) => p.status[c]) }))}
          />
          <Chart
            title={t('metrics.latency')}
            unit="ms"
            times={times}
            series={[
              { label: t('metrics.p50'), tone: 'chart-a', values: r.map((p) => p.p50_ms) },
              { label: t('metrics.p95'), tone: 'chart-d', values: r.map((p) => p.p95_ms) },
            ]}
          />
          <Chart
            title={t('metrics.memory')}
            unit="MB"
            times={m.data.memory.map((p) => p.t)}
            series={[{ label: t('metrics.memory'), tone: 'chart-b', values: m.data.memory.map((p) => p.mb) }]}
          />
        </div>
      )}
    </div>
  );
}
