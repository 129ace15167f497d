import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { api, enc } from '../api.js';
import { Table } from '../ui/table.js';
import { useI18n, type MessageKey } from '../i18n/index.js';
import { Confirm, ErrorBox, StateBadge, useAction, useLoad } from '../ui/kit.js';

interface Host {
  id: string;
  name: string;
  address: string;
  capacity_memory_mb: number | null;
  status: 'up' | 'down' | 'draining';
  draining: boolean;
  processes?: number;
  last_seen_at: string | null;
  last_error: string | null;
}

export function AdminHosts(): JSX.Element {
  const i = useI18n();
  const { t } = i;
  const hosts = useLoad(() => api<Host[]>('GET', '/hosts'), [], 5000);
  const [draining, setDraining] = useState<Host | null>(null);
  const act = useAction();
  return (
    <div>
      <h2>{t('admin.hosts')}</h2>
      <ErrorBox error={act.error ?? hosts.error} />
      <Table caption={t('admin.hosts')} headings={[t('hosts.name'), t('hosts.state'), t('hosts.address'), t('hosts.capacity'), t('hosts.processes'), t('hosts.seen'), t('common.actions')]} count={hosts.data?.length} empty={t('hosts.none')}>
        {hosts.data?.map((h) => (
          <tr key={h.id}>
            <td>{h.name}</td>
            <td>
              <StateBadge state={h.status} label={t(`host.${h.status}` as MessageKey)} />
              {h.last_error && <span class="muted"> {h.last_error}</span>}
            </td>
            <td>{h.address}</td>
            <td>{h.capacity_memory_mb === null ? '—' : `${i.num(h.capacity_memory_mb)} MB`}</td>
            <td>{i.num(h.processes ?? 0)}</td>
            <td>{i.ago(h.last_seen_at)}</td>
            <td>
              {h.draining ? (
                <button
                  type="button"
                  onClick={async () => {
                    if (await act.run(() => api('POST', `/hosts/${enc(h.name)}/undrain`))) hosts.reload();
                  }}
                >
                  {t('hosts.undrain')}
                </button>
              ) : (
                <button type="button" class="danger" onClick={() => setDraining(h)}>
                  {t('hosts.drain')}
                </button>
              )}
            </td>
          </tr>
        ))}
      </Table>
      {draining && (
        <Confirm
          title={t('hosts.drainTitle', { name: draining.name })}
          body={t('hosts.drainBody')}
          confirmLabel={t('hosts.drain')}
          onClose={() => setDraining(null)}
          onConfirm={async () => {
            await api('POST', `/hosts/${enc(draining.name)}/drain`);
            hosts.reload();
          }}
        />
      )}
    </div>
  );
}
