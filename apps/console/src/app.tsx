import type { JSX } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, sessionToken, setSessionToken, whenUnauthorized } from './api.js';
import { I18nContext, locales, makeI18n, type Locale } from './i18n/index.js';
import { Link, navigate } from './ui/kit.js';
import { Login } from './screens/login.js';
import { AppsList } from './screens/apps-list.js';
import { AppDetail } from './screens/app-detail.js';
import { Admin } from './screens/admin.js';

export interface Account {
  id: string;
  email: string;
  role: 'admin' | 'user';
  locale: Locale;
}

const base = '/console';

function usePath(): string {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const on = () => setPath(location.pathname);
    addEventListener('popstate', on);
    return () => removeEventListener('popstate', on);
  }, []);
  return path.startsWith(base) ? path.slice(base.length) || '/' : '/';
}

/** The language before sign-in: the last one used in this browser, else the browser's own. */
function initialLocale(): Locale {
  const saved = localStorage.getItem('paas.locale');
  if (saved === 'en' || saved === 'zh-CN') return saved;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export function App(): JSX.Element {
  const path = usePath();
  const [account, setAccount] = useState<Account | null | undefined>(sessionToken() ? undefined : null);
  const [locale, setLocaleState] = useState<Locale>(initialLocale);

  const setLocale = (l: Locale) => {
    setLocaleState(l);
    localStorage.setItem('paas.locale', l);
    // Remembered per user on the server: the next sign-in, in any browser, starts in it.
    if (account) api<Account>('PATCH', '/account', { locale: l }).then(setAccount, () => {});
  };
  const i18n = useMemo(() => makeI18n(locale, setLocale), [locale, account]);

  useEffect(() => {
    document.documentElement.lang = locale;
    document.title = i18n.t('app.title');
  }, [locale]);

  useEffect(() => {
    whenUnauthorized(() => {
      setSessionToken(null);
      setAccount(null);
    });
    if (account === undefined) {
      api<Account>('GET', '/account').then(
        (a) => {
          setAccount(a);
          setLocaleState(a.locale);
        },
        () => {
          setSessionToken(null);
          setAccount(null);
        },
      );
    }
  }, []);

  const signedIn = (a: Account) => {
    setAccount(a);
    setLocaleState(a.locale);
    localStorage.setItem('paas.locale', a.locale);
    navigate(`${base}/`);
  };

  const logout = async () => {
    await api('DELETE', '/auth/session').catch(() => {});
    setSessionToken(null);
    setAccount(null);
    navigate(`${base}/login`);
  };

  let main: JSX.Element;
  if (account === undefined) main = <p aria-busy="true">{i18n.t('common.loading')}</p>;
  else if (account === null) main = <Login onSignedIn={signedIn} />;
  else if (path.startsWith('/apps/')) {
    const [, , name = '', tab = 'processes'] = path.split('/');
    main = <AppDetail name={decodeURIComponent(name)} tab={tab} account={account} />;
  } else if (path.startsWith('/admin') && account.role === 'admin') main = <Admin tab={path.split('/')[2] || 'users'} />;
  else main = <AppsList account={account} />;

  return (
    <I18nContext.Provider value={i18n}>
      <a class="skip" href="#main">
        {i18n.t('nav.skip')}
      </a>
      <header class="top">
        <span class="brand">{i18n.t('app.title')}</span>
        {account && (
          <nav aria-label={i18n.t('nav.label')}>
            <Link href={`${base}/`} current={!path.startsWith('/admin')}>
              {i18n.t('nav.apps')}
            </Link>
            {account.role === 'admin' && (
              <Link href={`${base}/admin/users`} current={path.startsWith('/admin')}>
                {i18n.t('nav.admin')}
              </Link>
            )}
          </nav>
        )}
        <div class="who">
          <label>
            <span class="sr-only">{i18n.t('nav.language')}</span>
            <select value={locale} onChange={(e) => setLocale(e.currentTarget.value as Locale)}>
              {locales.map((l) => (
                <option value={l} key={l}>
                  {i18n.t(l === 'en' ? 'lang.en' : 'lang.zh-CN')}
                </option>
              ))}
            </select>
          </label>
          {account && <span class="email">{account.email}</span>}
          {account && (
            <button type="button" onClick={logout}>
              {i18n.t('nav.logout')}
            </button>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {main}
      </main>
    </I18nContext.Provider>
  );
}
