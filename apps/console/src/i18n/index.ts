import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { en, type MessageKey } from './en.js';
import { zhCN } from './zh-cn.js';

export type Locale = 'en' | 'zh-CN';
export const locales: readonly Locale[] = ['en', 'zh-CN'];
export const catalogues: Record<Locale, Record<MessageKey, string>> = { en, 'zh-CN': zhCN };
export type { MessageKey };

export type Vars = Record<string, string | number>;

/** The message `key` in `locale`, with `{name}` placeholders filled from `vars`. */
export function translate(locale: Locale, key: MessageKey, vars: Vars = {}): string {
  const text = catalogues[locale][key] ?? en[key];
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

export interface I18n {
  locale: Locale;
  t: (key: MessageKey, vars?: Vars) => string;
  /** A timestamp as the user's locale writes it. */
  date: (iso: string | null | undefined) => string;
  /** How long ago, in words of the user's locale. */
  ago: (iso: string | null | undefined) => string;
  num: (n: number) => string;
  /** An API error in the user's language by its stable code; the server's English message otherwise. */
  error: (e: unknown) => string;
  setLocale: (l: Locale) => void;
}

export function makeI18n(locale: Locale, setLocale: (l: Locale) => void): I18n {
  const t = (key: MessageKey, vars?: Vars) => translate(locale, key, vars);
  const dateFmt = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'medium' });
  const numFmt = new Intl.NumberFormat(locale);
  const rel = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  return {
    locale,
    t,
    setLocale,
    date: (iso) => (iso ? dateFmt.format(new Date(iso)) : '—'),
    num: (n) => numFmt.format(n),
    ago: (iso) => {
      if (!iso) return '—';
      const s = Math.round((new Date(iso).getTime() - Date.now()) / 1000);
      const a = Math.abs(s);
      if (a < 60) return rel.format(s, 'second');
      if (a < 3600) return rel.format(Math.round(s / 60), 'minute');
      if (a < 86400) return rel.format(Math.round(s / 3600), 'hour');
      return rel.format(Math.round(s / 86400), 'day');
    },
    error: (e) => {
      const err = e as { id?: string; message?: string };
      const key = `error.${err.id ?? ''}` as MessageKey;
      if (err.id && key in catalogues[locale]) {
        // The server's message carries the specifics (which quota, which field): shown after ours.
        return locale === 'en' ? (err.message ?? t(key)) : `${t(key)} (${err.message ?? ''})`;
      }
      return err.message ?? t('error.unknown');
    },
  };
}

export const I18nContext = createContext<I18n>(makeI18n('en', () => {}));
export const useI18n = (): I18n => useContext(I18nContext);
