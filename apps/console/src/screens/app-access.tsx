import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { api, enc } from '../api.js';
import { useI18n, type MessageKey } from '../i18n/index.js';
import { ErrorBox, useAction, useLoad } from '../ui/kit.js';
import { SimpleList } from '../ui/simple-list.js';
import type { AppInfo } from './app-types.js';

interface Collaborator {
  user: { id: string; email: string };
  role: 'owner' | 'collaborator';
}

export function Access(props: { app: AppInfo }): JSX.Element {
  const { t } = useI18n();
  const name = enc(props.app.name);
  const list = useLoad(() => api<Collaborator[]>('GET', `/apps/${name}/collaborators`), [name]);
  const [email, setEmail] = useState('');
  const add = useAction();
  return (
    <div>
      <h2>{t('access.title')}</h2>
      <form
        class="inline"
        onSubmit={async (e) => {
          e.preventDefault();
          if (await add.run(() => api('POST', `/apps/${name}/collaborators`, { user: email }))) {
            setEmail('');
            list.reload();
          }
        }}
      >
        <label>
          {t('access.email')}
          <input type="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={add.busy}>
          {t('access.add')}
        </button>
      </form>
      <ErrorBox error={add.error} />
      <SimpleList
        title={t('access.title')}
        loaded={list}
        empty={t('access.none')}
        itemName={(c) => c.user.email}
        columns={[
          [t('access.email'), (c) => c.user.email],
          [t('access.role'), (c) => t(`role.${c.role}` as MessageKey)],
        ]}
        removeLabel={t('common.remove')}
        canRemove={(c) => c.role === 'collaborator'}
        onRemove={(c) => api('DELETE', `/apps/${name}/collaborators/${enc(c.user.email)}`)}
      />
    </div>
  );
}
