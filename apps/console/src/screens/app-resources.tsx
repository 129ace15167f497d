import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { api, enc } from '../api.js';
import { useI18n } from '../i18n/index.js';
import { ErrorBox, useAction, useLoad } from '../ui/kit.js';
import { SimpleList } from '../ui/simple-list.js';
import type { AppInfo } from './app-types.js';

interface Addon {
  id: string;
  name: string;
  service: string;
  plan: string;
  config_var: string;
}
interface Volume {
  id: string;
  name: string;
  mount: string;
  types: string[];
}

/** Add-ons (postgres, redis) and volumes. */
export function Resources(props: { app: AppInfo }): JSX.Element {
  const { t } = useI18n();
  const name = enc(props.app.name);
  const addons = useLoad(() => api<Addon[]>('GET', `/apps/${name}/addons`), [name]);
  const volumes = useLoad(() => api<Volume[]>('GET', `/apps/${name}/volumes`), [name]);
  const [service, setService] = useState('postgres');
  const [volName, setVolName] = useState('');
  const [mount, setMount] = useState('');
  const addAddon = useAction();
  const addVolume = useAction();
  return (
    <div>
      <h2>{t('addons.title')}</h2>
      <form
        class="inline"
        onSubmit={async (e) => {
          e.preventDefault();
          if (await addAddon.run(() => api('POST', `/apps/${name}/addons`, { service }))) addons.reload();
        }}
      >
        <label>
          {t('addons.service')}
          <select value={service} onChange={(e) => setService(e.currentTarget.value)}>
            <option value="postgres">{t('addons.postgres')}</option>
            <option value="redis">{t('addons.redis')}</option>
          </select>
        </label>
        <button type="submit" disabled={addAddon.busy}>
          {t('addons.create')}
        </button>
      </form>
      <ErrorBox error={addAddon.error} />
      <SimpleList
        title={t('addons.title')}
        loaded={addons}
        empty={t('addons.none')}
        itemName={(a) => a.name}
        columns={[
          [t('addons.name'), (a) => a.name],
          [t('addons.plan'), (a) => a.plan],
          [t('addons.var'), (a) => a.config_var],
        ]}
        removeLabel={t('common.destroy')}
        onRemove={(a) => api('DELETE', `/apps/${name}/addons/${enc(a.name)}`)}
      />
      <h2>{t('volumes.title')}</h2>
      <form
        class="inline"
        onSubmit={async (e) => {
          e.preventDefault();
          if (await addVolume.run(() => api('POST', `/apps/${name}/volumes`, { name: volName, mount }))) {
            setVolName('');
            setMount('');
            volumes.reload();
          }
        }}
      >
        <label>
          {t('volumes.name')}
          <input required value={volName} onInput={(e) => setVolName(e.currentTarget.value)} />
        </label>
        <label>
          {t('volumes.mount')}
          <input required value={mount} onInput={(e) => setMount(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={addVolume.busy}>
          {t('volumes.create')}
        </button>
      </form>
      <ErrorBox error={addVolume.error} />
      <SimpleList
        title={t('volumes.title')}
        loaded={volumes}
        empty={t('volumes.none')}
        itemName={(v) => v.name}
        columns={[
          [t('volumes.name'), (v) => v.name],
          [t('volumes.mount'), (v) => v.mount],
        ]}
        removeLabel={t('common.destroy')}
        onRemove={(v) => api('DELETE', `/apps/${name}/volumes/${enc(v.name)}`)}
      />
    </div>
  );
}
