import type { JSX } from 'preact';
import { api } from '../api.js';
import { useI18n } from '../i18n/index.js';
import { Empty, ErrorBox, StateBadge, useLoad } from '../ui/kit.js';

interface Component {
  name: string;
  host: string;
  state: string;
  pid: number | null;
  restarts: number;
  version: string;
  uptime_seconds: number | null;
}

export function AdminStatus(): JSX.Element {
  const i = useI18n();
  const { t } = i;
  const status = useLoad(() => api<{ components: Component[] }>('GET', '/admin/status'), [], 5000);
  const rows = status.data?.components ?? [];
  return (
    <div>
      <h2>{t('admin.status')}</h2>
      <ErrorBox error={status.error} />
      {status.data && rows.length === 0 && <Empty>{t('status.none')}</Empty>}
      {rows.length > 0 && (
        <div class="scroll" tabIndex={0}>
          <table>
            <caption class="sr-only">{t('admin.status')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('status.component')}</th>
                <th scope="col">{t('status.host')}</th>
                <th scope="col">{t('status.state')}</th>
                <th scope="col">{t('status.pid')}</th>
                <th scope="col">{t('status.restarts')}</th>
                <th scope="col">{t('status.uptime')}</th>
                <th scope="col">{t('status.version')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((c) => (
                <tr key={`${c.host}/${c.name}`}>
                  <td>{c.name}</td>
                  <td>{c.host}</td>
                  <td>
                    <StateBadge state={c.state} label={c.state} />
                  </td>
                  <td>{c.pid ?? '—'}</td>
                  <td>{i.num(c.restarts)}</td>
                  <td>{c.uptime_seconds === null ? '—' : t('status.seconds', { n: i.num(c.uptime_seconds) })}</td>
                  <td>{c.version}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
