import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { api, enc } from '../api.js';
import { useI18n } from '../i18n/index.js';
import { ErrorBox, useAction, useLoad } from '../ui/kit.js';
import { SimpleList } from '../ui/simple-list.js';
import type { AppInfo } from './app-types.js';

interface Domain {
  id: string;
  hostname: string;
  kind: 'default' | 'custom';
  cname: string | null;
}
interface Cert {
  id: string;
  names: string[];
  issuer: string;
  expires_at: string;
}

export function Domains(props: { app: AppInfo }): JSX.Element {
  const i = useI18n();
  const { t } = i;
  const name = enc(props.app.name);
  const domains = useLoad(() => api<Domain[]>('GET', `/apps/${name}/domains`), [name]);
  const certs = useLoad(() => api<Cert[]>('GET', `/apps/${name}/certs`), [name]);
  const [hostname, setHostname] = useState('');
  const [chain, setChain] = useState('');
  const [key, setKey] = useState('');
  const add = useAction();
  const addCert = useAction();
  return (
    <div>
      <h2>{t('domains.title')}</h2>
      <form
        class="inline"
        onSubmit={async (e) => {
          e.preventDefault();
          if (await add.run(() => api('POST', `/apps/${name}/domains`, { hostname }))) {
            setHostname('');
            domains.reload();
          }
        }}
      >
        <label>
          {t('domains.hostname')}
          <input required value={hostname} onInput={(e) => setHostname(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={add.busy}>
          {t('domains.add')}
        </button>
      </form>
      <ErrorBox error={add.error} />
      <SimpleList
        title={t('domains.title')}
        loaded={domains}
        empty={t('domains.none')}
        itemName={(d) => d.hostname}
        columns={[
          [t('domains.hostname'), (d) => d.hostname],
          [t('domains.cname'), (d) => d.cname ?? '—'],
        ]}
        removeLabel={t('common.remove')}
        canRemove={(d) => d.kind === 'custom'}
        onRemove={(d) => api('DELETE', `/apps/${name}/domains/${enc(d.hostname)}`)}
      />
      <h2>{t('certs.title')}</h2>
      <SimpleList
        title={t('certs.title')}
        loaded={certs}
        empty={t('certs.none')}
        itemName={(c) => c.names[0] ?? c.id}
        columns={[
          [t('certs.names'), (c) => c.names.join(', ')],
          [t('certs.issuer'), (c) => c.issuer],
          [t('certs.expires'), (c) => i.date(c.expires_at)],
        ]}
        removeLabel={t('common.remove')}
        onRemove={(c) => api('DELETE', `/apps/${name}/certs/${enc(c.id)}`)}
      />
      <details>
        <summary>{t('certs.add')}</summary>
        <form
          onSubmit={async (e) => {
            e.preventDefault();
            if (await addCert.run(() => api('POST', `/apps/${name}/certs`, { certificate_chain: chain, private_key: key }))) {
              setChain('');
              setKey('');
              certs.reload();
            }
          }}
        >
          <label>
            {t('certs.chain')}
            <textarea required rows={4} value={chain} onInput={(e) => setChain(e.currentTarget.value)} />
          </label>
          <label>
            {t('certs.key')}
            <textarea required rows={4} value={key} onInput={(e) => setKey(e.currentTarget.value)} />
          </label>
          <ErrorBox error={addCert.error} />
          <button type="submit" disabled={addCert.busy}>
            {t('certs.add')}
          </button>
        </form>
      </details>
    </div>
  );
}
