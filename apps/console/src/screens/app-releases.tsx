import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { api, enc } from '../api.js';
import { Table } from '../ui/table.js';
import { useI18n } from '../i18n/index.js';
import { Confirm, ErrorBox, useLoad } from '../ui/kit.js';
import type { AppInfo } from './app-types.js';

interface Release {
  id: string;
  version: number;
  description: string;
  status: string;
  current: boolean;
  user: { email: string } | null;
  created_at: string;
}

export function Releases(props: { app: AppInfo }): JSX.Element {
  const i = useI18n();
  const { t } = i;
  const name = enc(props.app.name);
  const releases = useLoad(() => api<Release[]>('GET', `/apps/${name}/releases?limit=50`), [name]);
  const [target, setTarget] = useState<Release | null>(null);
  return (
    <div>
      <h2>{t('tab.releases')}</h2>
      <ErrorBox error={releases.error} />
      <Table caption={t('tab.releases')} headings={[t('releases.version'), t('releases.description'), t('releases.by'), t('releases.when'), t('common.actions')]} count={releases.data?.length} empty={t('releases.none')}>
        {[...(releases.data ?? [])].sort((a, b) => b.version - a.version).map((r) => (
          <tr key={r.id}>
            <td>
              v{r.version} {r.current && <strong>{t('releases.current')}</strong>}
            </td>
            <td>{r.description}</td>
            <td>{r.user?.email ?? '—'}</td>
            <td title={i.date(r.created_at)}>{i.ago(r.created_at)}</td>
            <td>
              {!r.current && (
                <button type="button" onClick={() => setTarget(r)}>
                  {t('releases.rollback', { version: r.version })}
                </button>
              )}
            </td>
          </tr>
        ))}
      </Table>
      {target && (
        <Confirm
          title={t('releases.rollbackTitle', { version: target.version })}
          body={t('releases.rollbackBody')}
          confirmLabel={t('releases.rollback', { version: target.version })}
          onClose={() => setTarget(null)}
          onConfirm={async () => {
            await api('POST', `/apps/${name}/releases`, { release: target.version });
            releases.reload();
          }}
        />
      )}
    </div>
  );
}
