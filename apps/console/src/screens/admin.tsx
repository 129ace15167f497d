import type { JSX } from 'preact';
import { useI18n, type MessageKey } from '../i18n/index.js';
import { Link } from '../ui/kit.js';
import { AdminUsers } from './admin-users.js';
import { AdminHosts } from './admin-hosts.js';
import { AdminStatus } from './admin-status.js';
import { AdminAudit } from './admin-audit.js';

const tabs = ['users', 'hosts', 'status', 'audit'] as const;

export function Admin(props: { tab: string }): JSX.Element {
  const { t } = useI18n();
  const tab = (tabs as readonly string[]).includes(props.tab) ? props.tab : 'users';
  return (
    <section>
      <h1>{t('nav.admin')}</h1>
      <nav class="tabs" aria-label={t('admin.sections')}>
        {tabs.map((x) => (
          <Link key={x} href={`/console/admin/${x}`} current={x === tab}>
            {t(`admin.${x}` as MessageKey)}
          </Link>
        ))}
      </nav>
      <div class="panel">
        {tab === 'users' && <AdminUsers />}
        {tab === 'hosts' && <AdminHosts />}
        {tab === 'status' && <AdminStatus />}
        {tab === 'audit' && <AdminAudit />}
      </div>
    </section>
  );
}
