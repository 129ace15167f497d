import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { api, enc } from '../api.js';
import { Table } from '../ui/table.js';
import { useI18n } from '../i18n/index.js';
import { Confirm, ErrorBox, useAction, useLoad } from '../ui/kit.js';
import type { AppInfo } from './app-types.js';

function ConfigRow(props: { name: string; value: string; onUnset: () => void }): JSX.Element {
  const { t } = useI18n();
  const [shown, setShown] = useState(false);
  return (
    <tr data-var={props.name}>
      <th scope="row">
        <code>{props.name}</code>
      </th>
      <td>
        <code class="value">{shown ? props.value : '••••••••'}</code>
      </td>
      <td class="actions">
        <button type="button" aria-pressed={shown} onClick={() => setShown(!shown)} aria-label={t(shown ? 'config.hideVar' : 'config.showVar', { name: props.name })}>
          {t(shown ? 'config.hide' : 'config.show')}
        </button>
        <button type="button" class="danger" onClick={props.onUnset} aria-label={t('config.unsetVar', { name: props.name })}>
          {t('config.unset')}
        </button>
      </td>
    </tr>
  );
}

export function ConfigVars(props: { app: AppInfo }): JSX.Element {
  const { t } = useI18n();
  const name = enc(props.app.name);
  const vars = useLoad(() => api<Record<string, string>>('GET', `/apps/${name}/config-vars`), [name]);
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  const [unsetting, setUnsetting] = useState<string | null>(null);
  const [notice, setNotice] = useState('');
  const save = useAction();
  const entries = Object.entries(vars.data ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return (
    <div>
      <h2>{t('tab.config')}</h2>
      <p class="muted">{t('config.releaseNote')}</p>
      <form
        class="inline"
        onSubmit={async (e) => {
          e.preventDefault();
          const ok = await save.run(() => api('PATCH', `/apps/${name}/config-vars`, { [key]: value }));
          if (ok) {
            setNotice(t('config.saved', { name: key }));
            setKey('');
            setValue('');
            vars.reload();
          }
        }}
      >
        <label>
          {t('config.key')}
          <input name="config-key" required value={key} onInput={(e) => setKey(e.currentTarget.value)} autoComplete="off" />
        </label>
        <label>
          {t('config.value')}
          <input name="config-value" value={value} onInput={(e) => setValue(e.currentTarget.value)} autoComplete="off" />
        </label>
        <button type="submit" class="primary" disabled={save.busy}>
          {t('config.set')}
        </button>
      </form>
      <ErrorBox error={save.error ?? vars.error} />
      <p role="status" class="notice">
        {notice}
      </p>
      <Table caption={t('tab.config')} headings={[t('config.key'), t('config.value'), t('common.actions')]} count={vars.data ? entries.length : undefined} empty={t('config.none')}>
        {entries.map(([k, v]) => (
          <ConfigRow key={k} name={k} value={v} onUnset={() => setUnsetting(k)} />
        ))}
      </Table>
      {unsetting && (
        <Confirm
          title={t('config.unsetTitle', { name: unsetting })}
          body={t('config.releaseNote')}
          confirmLabel={t('config.unset')}
          onClose={() => setUnsetting(null)}
          onConfirm={async () => {
            await api('PATCH', `/apps/${name}/config-vars`, { [unsetting]: null });
            setNotice(t('config.unsetDone', { name: unsetting }));
            vars.reload();
          }}
        />
      )}
    </div>
  );
}
