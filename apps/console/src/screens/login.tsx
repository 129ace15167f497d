import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { api, setSessionToken } from '../api.js';
import type { Account } from '../app.js';
import { useI18n } from '../i18n/index.js';
import { ErrorBox, useAction } from '../ui/kit.js';

export function Login(props: { onSignedIn: (a: Account) => void }): JSX.Element {
  const { t } = useI18n();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const action = useAction();
  return (
    <section class="login">
      <h1>{t('login.title')}</h1>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          await action.run(async () => {
            const session = await api<{ token: string }>('POST', '/auth/login', { email, password });
            setSessionToken(session.token);
            props.onSignedIn(await api<Account>('GET', '/account'));
          });
        }}
      >
        <label>
          {t('login.email')}
          <input type="email" name="email" autoComplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </label>
        <label>
          {t('login.password')}
          <input
            type="password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        <ErrorBox error={action.error} />
        <button type="submit" class="primary" disabled={action.busy}>
          {t('login.submit')}
        </button>
      </form>
    </section>
  );
}
