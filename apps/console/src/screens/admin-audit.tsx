import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { Table } from '../ui/table.js';
import { useI18n } from '../i18n/index.js';
import { ErrorBox, useLoad } from '../ui/kit.js';

interface AuditEvent {
  id: string;
  created_at: string;
  actor: string | null;
  action: string;
  app: string | null;
  user: string | null;
  ip: string | null;
  details: Record<string, unknown>;
}

export function AdminAudit(): JSX.Element {
  const i = useI18n();
  const { t } = i;
  const [filters, setFilters] = useState({ user: '', app: '', action: '' });
  const [applied, setApplied] = useState(filters);
  const events = useLoad(() => {
    const q = new URLSearchParams({ limit: '100' });
    for (const [k, v] of Object.entries(applied)) if (v) q.set(k, v);
    return api<AuditEvent[]>('GET', `/admin/audit?${q}`);
  }, [applied]);
  const rows = events.data ?? [];
  return (
    <div>
      <h2>{t('admin.audit')}</h2>
      <form
        class="inline filters"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied(filters);
        }}
      >
        {(['user', 'app', 'action'] as const).map((k) => (
          <label key={k}>
            {t(`audit.${k}`)}
            <input value={filters[k]} onInput={(e) => setFilters({ ...filters, [k]: e.currentTarget.value })} />
          </label>
        ))}
        <button type="submit">{t('audit.filter')}</button>
      </form>
      <ErrorBox error={events.error} />
      <Table caption={t('admin.audit')} headings={[t('audit.when'), t('audit.actor'), t('audit.action'), t('audit.app'), t('audit.user'), t('audit.ip'), t('audit.details')]} count={events.data ? rows.length : undefined} empty={t('audit.none')}>
        {rows.map((e) => (
          <tr key={e.id}>
            <td>{i.date(e.created_at)}</td>
            <td>{e.actor ?? '—'}</td>
            <td>
              <code>{e.action}</code>
            </td>
            <td>{e.app ?? '—'}</td>
            <td>{e.user ?? '—'}</td>
            <td>{e.ip ?? '—'}</td>
            <td>
              <code>{JSON.stringify(e.details)}</code>
            </td>
          </tr>
        ))}
      </Table>
    </div>
  );
}
