import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { api, enc } from '../api.js';
import { useI18n, type MessageKey } from '../i18n/index.js';
import { Confirm, Empty, ErrorBox, StateBadge, useAction, useLoad } from '../ui/kit.js';

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
      {hosts.data && hosts.data.length === 0 && <Empty>{t('hosts.none')}</Empty>}
      {hosts.data && hosts.data.length > 0 && (
        <div class="scroll" tabIndex={0}>
          <table>
            <caption class="sr-only">{t('admin.hosts')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('hosts.name')}</th>
                <th scope="col">{t('hosts.state')}</th>
                <th scope="col">{t('hosts.address')}</th>
                <th scope="col">{t('hosts.capacity')}</th>
                <th scope="col">{t('hosts.processes')}</th>
                <th scope="col">{t('hosts.seen')}</th>
                <th scope="col">{t('common.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {hosts.data.map((h) => (
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
            </tbody>
          </table>
        </div>
      )}
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
