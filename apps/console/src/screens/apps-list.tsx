import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { api, enc } from '../api.js';
import type { Account } from '../app.js';
import { Table } from '../ui/table.js';
import { useI18n } from '../i18n/index.js';
import { ErrorBox, Link, StateBadge, navigate, useAction, useLoad } from '../ui/kit.js';
import { appState, type AppInfo, type Build, type Dyno } from './app-types.js';

function AppRow(props: { app: AppInfo }): JSX.Element {
  const { t } = useI18n();
  const { app } = props;
  const state = useLoad(async () => {
    const [dynos, builds] = await Promise.all([
      api<Dyno[]>('GET', `/apps/${enc(app.name)}/dynos`),
      api<Build[]>('GET', `/apps/${enc(app.name)}/builds?limit=1`),
    ]);
    return appState(app, dynos, builds[0]);
  }, [app.name], 5000);
  return (
    <tr>
      <td>
        <Link href={`/console/apps/${enc(app.name)}`}>{app.name}</Link>
      </td>
      <td>{state.data ? <StateBadge state={state.data} label={t(`state.${state.data}`)} /> : '…'}</td>
      <td>{app.owner.email}</td>
      <td>{app.current_release === null ? t('apps.never') : `v${app.current_release}`}</td>
      <td>
        <a href={app.web_url} rel="noreferrer">
          {app.web_url}
        </a>
      </td>
    </tr>
  );
}

export function AppsList(_props: { account: Account }): JSX.Element {
  const { t } = useI18n();
  const apps = useLoad(() => api<AppInfo[]>('GET', '/apps?limit=200'), []);
  const [name, setName] = useState('');
  const create = useAction();
  return (
    <section>
      <h1>{t('apps.title')}</h1>
      <form
        class="inline"
        onSubmit={async (e) => {
          e.preventDefault();
          if (await create.run(() => api('POST', '/apps', { name }))) navigate(`/console/apps/${enc(name)}`);
        }}
      >
        <label>
          {t('apps.newName')}
          <input name="app-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} pattern="[a-z][a-z0-9-]{1,28}[a-z0-9]" />
        </label>
        <button type="submit" class="primary" disabled={create.busy}>
          {t('apps.create')}
        </button>
      </form>
      <ErrorBox error={create.error} />
      <ErrorBox error={apps.error} />
      <Table caption={t('apps.title')} headings={[t('apps.name'), t('apps.state'), t('apps.owner'), t('apps.release'), t('apps.url')]} count={apps.data?.length} empty={t('apps.empty')}>
        {apps.data?.map((a) => (
          <AppRow app={a} key={a.id} />
        ))}
      </Table>
    </section>
  );
}
