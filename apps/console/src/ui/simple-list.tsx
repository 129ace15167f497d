import type { ComponentChildren, JSX } from 'preact';
import { useState } from 'preact/hooks';
import { useI18n } from '../i18n/index.js';
import { Confirm, ErrorBox, type Loaded } from './kit.js';
import { Table } from './table.js';

/**
 * A table of things with a remove button each (confirmed): domains, certificates, collaborators,
 * add-ons, volumes. `columns` are [heading, cell] pairs.
 */
export function SimpleList<T>(props: {
  title: string;
  loaded: Loaded<T[]>;
  empty: string;
  columns: [string, (x: T) => ComponentChildren][];
  itemName: (x: T) => string;
  removeLabel: string;
  onRemove?: (x: T) => Promise<unknown>;
  canRemove?: (x: T) => boolean;
}): JSX.Element {
  const { t } = useI18n();
  const [target, setTarget] = useState<T | null>(null);
  const rows = props.loaded.data ?? [];
  return (
    <div>
      <ErrorBox error={props.loaded.error} />
      <Table
        caption={props.title}
        headings={[...props.columns.map(([h]) => h), ...(props.onRemove ? [t('common.actions')] : [])]}
        count={props.loaded.data ? rows.length : undefined}
        empty={props.empty}
      >
        {rows.map((x) => (
          <tr key={props.itemName(x)}>
            {props.columns.map(([h, cell]) => (
              <td key={h}>{cell(x)}</td>
            ))}
            {props.onRemove && (
              <td>
                {(props.canRemove?.(x) ?? true) && (
                  <button type="button" class="danger" onClick={() => setTarget(x)} aria-label={`${props.removeLabel}: ${props.itemName(x)}`}>
                    {props.removeLabel}
                  </button>
                )}
              </td>
            )}
          </tr>
        ))}
      </Table>
      {target && props.onRemove && (
        <Confirm
          title={`${props.removeLabel}: ${props.itemName(target)}`}
          body={t('common.cannotUndo')}
          confirmLabel={props.removeLabel}
          onClose={() => setTarget(null)}
          onConfirm={async () => {
            await props.onRemove!(target);
            props.loaded.reload();
          }}
        />
      )}
    </div>
  );
}
