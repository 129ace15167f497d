import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { api, enc } from '../api.js';
import type { Account } from '../app.js';
import { useI18n, type MessageKey } from '../i18n/index.js';
import { Confirm, ErrorBox, Link, navigate, useLoad } from '../ui/kit.js';
import type { AppInfo } from './app-types.js';
import { Processes } from './app-processes.js';
import { Releases } from './app-releases.js';
import { ConfigVars } from './app-config.js';
import { Builds } from './app-builds.js';
import { Logs } from './app-logs.js';
import { Domains } from './app-domains.js';
import { Access } from './app-access.js';
import { Resources } from './app-resources.js';
import { Metrics } from './app-metrics.js';

const tabs = ['processes', 'metrics', 'logs', 'builds', 'releases', 'config', 'domains', 'access', 'resources'] as const;
type Tab = (typeof tabs)[number];

export function AppDetail(props: { name: string; tab: string; account: Account }): JSX.Element {
  const { t } = useI18n();
  const app = useLoad(() => api<AppInfo>('GET', `/apps/${enc(props.name)}`), [props.name]);
  const [destroying, setDestroying] = useState(false);
  const tab: Tab = (tabs as readonly string[]).includes(props.tab) ? (props.tab as Tab) : 'processes';
  const base = `/console/apps/${enc(props.name)}`;
  if (app.error) return <ErrorBox error={app.error} />;
  if (!app.data) return <p aria-busy="true">{t('common.loading')}</p>;
  const a = app.data;
  return (
    <section>
      <div class="heading">
        <h1>{a.name}</h1>
        <a href={a.web_url} rel="noreferrer">
          {a.web_url}
        </a>
        <button type="button" class="danger" onClick={() => setDestroying(true)}>
          {t('app.destroy')}
        </button>
      </div>
      <p class="muted">
        {t('app.gitUrl')}: <code>{a.git_url}</code>
      </p>
      <nav class="tabs" aria-label={t('app.sections')}>
        {tabs.map((x) => (
          <Link key={x} href={`${base}/${x}`} current={x === tab}>
            {t(`tab.${x}` as MessageKey)}
          </Link>
        ))}
      </nav>
      <div class="panel">
        {tab === 'processes' && <Processes app={a} />}
        {tab === 'metrics' && <Metrics app={a} />}
        {tab === 'logs' && <Logs app={a} />}
        {tab === 'builds' && <Builds app={a} />}
        {tab === 'releases' && <Releases app={a} />}
        {tab === 'config' && <ConfigVars app={a} />}
        {tab === 'domains' && <Domains app={a} />}
        {tab === 'access' && <Access app={a} />}
        {tab === 'resources' && <Resources app={a} />}
      </div>
      {destroying && (
        <Confirm
          title={t('app.destroyTitle', { app: a.name })}
          body={t('app.destroyBody')}
          typed={a.name}
          confirmLabel={t('app.destroy')}
          onClose={() => setDestroying(false)}
          onConfirm={async () => {
            await api('DELETE', `/apps/${enc(a.name)}`);
            navigate('/console/');
          }}
        />
      )}
    </section>
  );
}
