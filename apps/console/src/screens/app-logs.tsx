import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { enc, stream } from '../api.js';
import { useI18n } from '../i18n/index.js';
import { ErrorBox } from '../ui/kit.js';
import type { AppInfo } from './app-types.js';

const maxLines = 2000;

/** The app's log, live (the API's tail as server-sent events), filtered and pausable. */
export function Logs(props: { app: AppInfo }): JSX.Element {
  const { t } = useI18n();
  const [source, setSource] = useState('');
  const [ps, setPs] = useState('');
  const [text, setText] = useState('');
  const [paused, setPaused] = useState(false);
  const [lines, setLines] = useState<string[]>([]);
  const [error, setError] = useState<unknown>(null);
  const held = useRef<string[]>([]);
  const pausedRef = useRef(false);
  const pre = useRef<HTMLPreElement>(null);
  pausedRef.current = paused;

  useEffect(() => {
    setLines([]);
    setError(null);
    held.current = [];
    const q = new URLSearchParams({ tail: 'true', lines: '200' });
    if (source) q.set('source', source);
    if (/^[a-z0-9][a-z0-9_.-]{0,62}$/.test(ps)) q.set('ps', ps);
    const abort = new AbortController();
    stream(
      `/apps/${enc(props.app.name)}/logs?${q}`,
      (e) => {
        if (e.event !== 'message' || e.data === '') return;
        const incoming = e.data.split('\n');
        if (pausedRef.current) held.current = [...held.current, ...incoming].slice(-maxLines);
        else setLines((l) => [...l, ...incoming].slice(-maxLines));
      },
      abort.signal,
    ).catch((e: unknown) => {
      if (!abort.signal.aborted) setError(e);
    });
    return () => abort.abort();
  }, [props.app.name, source, ps]);

  useEffect(() => {
    if (!paused && pre.current) pre.current.scrollTop = pre.current.scrollHeight;
  }, [lines, paused]);

  const shown = text ? lines.filter((l) => l.toLowerCase().includes(text.toLowerCase())) : lines;
  return (
    <div>
      <h2>{t('tab.logs')}</h2>
      <form class="inline filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('logs.source')}
          <select value={source} onChange={(e) => setSource(e.currentTarget.value)}>
            <option value="">{t('logs.all')}</option>
            <option value="app">{t('logs.app')}</option>
            <option value="router">{t('logs.router')}</option>
            <option value="platform">{t('logs.platform')}</option>
          </select>
        </label>
        <label>
          {t('logs.process')}
          <input value={ps} placeholder={t('logs.processHint')} onChange={(e) => setPs(e.currentTarget.value.trim())} />
        </label>
        <label>
          {t('logs.text')}
          <input type="search" value={text} onInput={(e) => setText(e.currentTarget.value)} />
        </label>
        <button
          type="button"
          aria-pressed={paused}
          onClick={() => {
            if (paused) {
              setLines((l) => [...l, ...held.current].slice(-maxLines));
              held.current = [];
            }
            setPaused(!paused);
          }}
        >
          {paused ? t('logs.resume') : t('logs.pause')}
        </button>
      </form>
      <ErrorBox error={error} />
      <p class="muted" role="status">
        {paused ? t('logs.paused') : t('logs.live')}
      </p>
      <pre class="output log-output" ref={pre} tabIndex={0} aria-label={t('tab.logs')} aria-live="off">
        {shown.join('\n')}
      </pre>
    </div>
  );
}
