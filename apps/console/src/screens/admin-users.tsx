import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { api, enc } from '../api.js';
import { Table } from '../ui/table.js';
import { useI18n } from '../i18n/index.js';
import { Confirm, ErrorBox, useAction, useLoad } from '../ui/kit.js';

interface User {
  id: string;
  email: string;
  role: 'admin' | 'user';
  disabled: boolean;
}
interface Quota {
  limits: { apps: number; processes: number; memory_mb: number; builds: number };
  usage: { apps: number; processes: number; builds: number };
}
const fields = ['apps', 'processes', 'memory_mb', 'builds'] as const;

function QuotaEditor(props: { user: User; onClose: () => void }): JSX.Element {
  const { t } = useI18n();
  const quota = useLoad(() => api<Quota>('GET', `/admin/users/${enc(props.user.email)}/quota`), [props.user.email]);
  const [values, setValues] = useState<Record<string, string>>({});
  const save = useAction();
  const q = quota.data;
  return (
    <div class="card" aria-labelledby="quota-title">
      <h3 id="quota-title">{t('quota.title', { email: props.user.email })}</h3>
      <ErrorBox error={quota.error} />
      {q && (
        <form
          onSubmit={async (e) => {
            e.preventDefault();
            const body = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== '').map(([k, v]) => [k, Number(v)]));
            if (Object.keys(body).length === 0) return;
            if (await save.run(() => api('PUT', `/admin/users/${enc(props.user.email)}/quota`, body))) {
              setValues({});
              quota.reload();
            }
          }}
        >
          {fields.map((f) => (
            <label key={f}>
              {t(`quota.${f}`)} ·{' '}
              {t('quota.usage', { used: f === 'memory_mb' ? '—' : q.usage[f], limit: q.limits[f] })}
              <input
                name={`quota-${f}`}
                type="number"
                min="0"
                placeholder={String(q.limits[f])}
                value={values[f] ?? ''}
                onInput={(e) => setValues({ ...values, [f]: e.currentTarget.value })}
              />
            </label>
          ))}
          <ErrorBox error={save.error} />
          <div class="actions">
            <button type="button" onClick={props.onClose}>
              {t('common.close')}
            </button>
            <button type="submit" class="primary" disabled={save.busy}>
              {t('quota.save')}
            </button>
          </div>
        </form>
      )}
    </div>
  );
}

export function AdminUsers(): JSX.Element {
  const { t } = useI18n();
  const users = useLoad(() => api<User[]>('GET', '/admin/users?limit=200'), []);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [admin, setAdmin] = useState(false);
  const [quotaOf, setQuotaOf] = useState<User | null>(null);
  const [disabling, setDisabling] = useState<User | null>(null);
  const create = useAction();
  const act = useAction();
  return (
    <div>
      <h2>{t('admin.users')}</h2>
      <form
        class="inline"
        onSubmit={async (e) => {
          e.preventDefault();
          if (await create.run(() => api('POST', '/admin/users', { email, password, admin }))) {
            setEmail('');
            setPassword('');
            setAdmin(false);
            users.reload();
          }
        }}
      >
        <label>
          {t('login.email')}
          <input type="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} autoComplete="off" />
        </label>
        <label>
          {t('login.password')}
          <input type="password" required minLength={8} value={password} onInput={(e) => setPassword(e.currentTarget.value)} autoComplete="new-password" />
        </label>
        <label class="check">
          <input type="checkbox" checked={admin} onChange={(e) => setAdmin(e.currentTarget.checked)} />
          {t('users.admin')}
        </label>
        <button type="submit" class="primary" disabled={create.busy}>
          {t('users.create')}
        </button>
      </form>
      <ErrorBox error={create.error ?? act.error ?? users.error} />
      {quotaOf && <QuotaEditor user={quotaOf} onClose={() => setQuotaOf(null)} />}
      <Table caption={t('admin.users')} headings={[t('login.email'), t('users.role'), t('users.status'), t('common.actions')]} count={users.data?.length} empty={t('users.none')}>
        {users.data?.map((u) => (
          <tr key={u.id} data-user={u.email}>
            <td>{u.email}</td>
            <td>{t(u.role === 'admin' ? 'role.admin' : 'role.user')}</td>
            <td>{t(u.disabled ? 'users.disabled' : 'users.active')}</td>
            <td class="actions">
              <button type="button" onClick={() => setQuotaOf(u)} aria-label={t('users.quotaOf', { email: u.email })}>
                {t('users.quota')}
              </button>
              <button
                type="button"
                aria-label={t(u.role === 'admin' ? 'users.makeUserOf' : 'users.makeAdminOf', { email: u.email })}
                onClick={async () => {
                  if (await act.run(() => api('PUT', `/admin/users/${enc(u.email)}/role`, { role: u.role === 'admin' ? 'user' : 'admin' }))) users.reload();
                }}
              >
                {t(u.role === 'admin' ? 'users.makeUser' : 'users.makeAdmin')}
              </button>
              {u.disabled ? (
                <button
                  type="button"
                  onClick={async () => {
                    if (await act.run(() => api('POST', `/admin/users/${enc(u.email)}/enable`))) users.reload();
                  }}
                >
                  {t('users.enable')}
                </button>
              ) : (
                <button type="button" class="danger" onClick={() => setDisabling(u)}>
                  {t('users.disable')}
                </button>
              )}
            </td>
          </tr>
        ))}
      </Table>
      {disabling && (
        <Confirm
          title={t('users.disableTitle', { email: disabling.email })}
          body={t('users.disableBody')}
          confirmLabel={t('users.disable')}
          onClose={() => setDisabling(null)}
          onConfirm={async () => {
            await api('POST', `/admin/users/${enc(disabling.email)}/disable`);
            users.reload();
          }}
        />
      )}
    </div>
  );
}
