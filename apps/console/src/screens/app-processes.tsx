import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { api, enc } from '../api.js';
import { Table } from '../ui/table.js';
import { useI18n, type MessageKey } from '../i18n/index.js';
import { Empty, ErrorBox, StateBadge, useAction, useLoad } from '../ui/kit.js';
import type { AppInfo, Dyno } from './app-types.js';

interface Formation {
  type: string;
  quantity: number;
  command: string | null;
}
interface Quota {
  limits: { processes: number };
  usage: { processes: number };
}

function ScaleRow(props: { app: AppInfo; f: Formation; quota: Quota | undefined; onDone: () => void }): JSX.Element {
  const { t } = useI18n();
  const [n, setN] = useState(String(props.f.quantity));
  const scale = useAction();
  const restart = useAction();
  const id = `scale-${props.f.type}`;
  return (
    <li class="scale">
      <form
        class="inline"
        onSubmit={async (e) => {
          e.preventDefault();
          const ok = await scale.run(() =>
            api('PATCH', `/apps/${enc(props.app.name)}/formation`, { updates: [{ type: props.f.type, quantity: Number(n) }] }),
          );
          if (ok) props.onDone();
        }}
      >
        <label for={id}>{t('ps.scaleType', { type: props.f.type })}</label>
        <input id={id} type="number" min="0" inputMode="numeric" value={n} onInput={(e) => setN(e.currentTarget.value)} />
        <button type="submit" disabled={scale.busy}>
          {t('ps.scale')}
        </button>
        <button type="button" disabled={restart.busy} onClick={() => restart.run(() => api('DELETE', `/apps/${enc(props.app.name)}/dynos/${enc(props.f.type)}`))}>
          {t('ps.restartType', { type: props.f.type })}
        </button>
      </form>
      {props.quota && <p class="muted">{t('ps.quota', { used: props.quota.usage.processes, limit: props.quota.limits.processes })}</p>}
      <ErrorBox error={scale.error ?? restart.error} />
    </li>
  );
}

export function Processes(props: { app: AppInfo }): JSX.Element {
  const i = useI18n();
  const { t } = i;
  const name = enc(props.app.name);
  const formation = useLoad(() => api<Formation[]>('GET', `/apps/${name}/formation`), [name]);
  const dynos = useLoad(() => api<Dyno[]>('GET', `/apps/${name}/dynos`), [name], 3000);
  const quota = useLoad(() => api<Quota>('GET', '/account/quota'), [name]);
  const restartAll = useAction();
  const reload = () => {
    formation.reload();
    dynos.reload();
    quota.reload();
  };
  return (
    <div>
      <h2>{t('ps.formation')}</h2>
      <ErrorBox error={formation.error} />
      {formation.data && formation.data.length === 0 && <Empty>{t('ps.noFormation')}</Empty>}
      <ul class="plain">
        {formation.data?.map((f) => <ScaleRow key={f.type} app={props.app} f={f} quota={quota.data} onDone={reload} />)}
      </ul>
      <h2>{t('ps.processes')}</h2>
      <button type="button" disabled={restartAll.busy} onClick={() => restartAll.run(() => api('DELETE', `/apps/${name}/dynos`))}>
        {t('ps.restartAll')}
      </button>
      <ErrorBox error={restartAll.error ?? dynos.error} />
      <Table caption={t('ps.processes')} headings={[t('ps.name'), t('ps.state'), t('ps.host'), t('ps.release'), t('ps.restarts'), t('ps.cpu'), t('ps.memory'), t('ps.since')]} count={dynos.data?.length} empty={t('ps.none')} class="processes">
        {dynos.data?.map((d) => (
          <tr key={d.id} data-process={d.name}>
            <td>{d.name}</td>
            <td>
              <StateBadge state={d.state} label={t(`dyno.${d.state}` as MessageKey)} />
            </td>
            <td>{d.host}</td>
            <td>v{d.release.version}</td>
            <td>{d.restart_count == null ? '—' : i.num(d.restart_count)}</td>
            <td>{d.cpu_percent == null ? '—' : `${i.num(Math.round(d.cpu_percent * 10) / 10)} %`}</td>
            <td>{d.memory_mb == null ? '—' : `${i.num(Math.round(d.memory_mb))} MB`}</td>
            <td>{i.ago(d.updated_at)}</td>
          </tr>
        ))}
      </Table>
    </div>
  );
}
