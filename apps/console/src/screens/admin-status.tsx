import type { JSX } from 'preact';
import { api } from '../api.js';
import { Table } from '../ui/table.js';
import { useI18n } from '../i18n/index.js';
import { ErrorBox, StateBadge, useLoad } from '../ui/kit.js';

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
      <Table caption={t('admin.status')} headings={[t('status.component'), t('status.host'), t('status.state'), t('status.pid'), t('status.restarts'), t('status.uptime'), t('status.version')]} count={status.data ? rows.length : undefined} empty={t('status.none')}>
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
      </Table>
    </div>
  );
}
