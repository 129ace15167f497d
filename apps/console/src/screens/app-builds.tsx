import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, enc, stream } from '../api.js';
import { useI18n, type MessageKey } from '../i18n/index.js';
import { Empty, ErrorBox, StateBadge, useLoad } from '../ui/kit.js';
import type { AppInfo, Build } from './app-types.js';

/** A build's output, live while it runs: the lines `git push` shows, as the builder writes them. */
function BuildOutput(props: { app: string; build: Build }): JSX.Element {
  const { t } = useI18n();
  const [lines, setLines] = useState<string[]>([]);
  const [end, setEnd] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const pre = useRef<HTMLPreElement>(null);
  useEffect(() => {
    setLines([]);
    setEnd(null);
    setError(null);
    const abort = new AbortController();
    stream(
      `/apps/${enc(props.app)}/builds/${enc(props.build.id)}/output-stream`,
      (e) => {
        if (e.event === 'end') setEnd(e.data);
        else setLines((l) => [...l, ...e.data.split('\n')].slice(-5000));
      },
      abort.signal,
    ).catch((e: unknown) => {
      if (!abort.signal.aborted) setError(e);
    });
    return () => abort.abort();
  }, [props.app, props.build.id]);
  useEffect(() => {
    if (pre.current) pre.current.scrollTop = pre.current.scrollHeight;
  }, [lines]);
  return (
    <div>
      <p role="status">{end ? t('builds.ended', { status: t(`build.${end}` as MessageKey) }) : t('builds.streaming')}</p>
      <ErrorBox error={error} />
      <pre class="output build-output" ref={pre} tabIndex={0} aria-label={t('builds.output')}>
        {lines.join('\n')}
      </pre>
    </div>
  );
}

export function Builds(props: { app: AppInfo }): JSX.Element {
  const i = useI18n();
  const { t } = i;
  const builds = useLoad(() => api<Build[]>('GET', `/apps/${enc(props.app.name)}/builds?limit=20`), [props.app.name], 3000);
  const [picked, setPicked] = useState<string | null>(null);
  const list = builds.data ?? [];
  // Follows the newest build (a push while the page is open) unless the user picked one.
  const shown = list.find((b) => b.id === picked) ?? list[0];
  return (
    <div>
      <h2>{t('tab.builds')}</h2>
      <p class="muted">{t('builds.howTo', { url: props.app.git_url })}</p>
      <ErrorBox error={builds.error} />
      {builds.data && list.length === 0 && <Empty>{t('builds.none')}</Empty>}
      {list.length > 0 && (
        <div class="split">
          <ul class="plain builds" aria-label={t('tab.builds')}>
            {list.map((b) => (
              <li key={b.id}>
                <button type="button" aria-pressed={shown?.id === b.id} onClick={() => setPicked(b.id)}>
                  <StateBadge state={b.status} label={t(`build.${b.status}` as MessageKey)} /> {b.commit?.slice(0, 7) ?? '—'} · {i.ago(b.created_at)}
                </button>
              </li>
            ))}
          </ul>
          {shown && <BuildOutput app={props.app.name} build={shown} />}
        </div>
      )}
    </div>
  );
}
