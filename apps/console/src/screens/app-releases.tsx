import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { api, enc } from '../api.js';
import { useI18n } from '../i18n/index.js';
import { Confirm, Empty, ErrorBox, useLoad } from '../ui/kit.js';
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
      {releases.data && releases.data.length === 0 && <Empty>{t('releases.none')}</Empty>}
      {releases.data && releases.data.length > 0 && (
        <div class="scroll" tabIndex={0}>
          <table>
            <caption class="sr-only">{t('tab.releases')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('releases.version')}</th>
                <th scope="col">{t('releases.description')}</th>
                <th scope="col">{t('releases.by')}</th>
                <th scope="col">{t('releases.when')}</th>
                <th scope="col">{t('common.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {[...releases.data].sort((a, b) => b.version - a.version).map((r) => (
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
            </tbody>
          </table>
        </div>
      )}
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
