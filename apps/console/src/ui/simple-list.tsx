import type { ComponentChildren, JSX } from 'preact';
import { useState } from 'preact/hooks';
import { useI18n } from '../i18n/index.js';
import { Confirm, Empty, ErrorBox, type Loaded } from './kit.js';

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
      {props.loaded.data && rows.length === 0 && <Empty>{props.empty}</Empty>}
      {rows.length > 0 && (
        <div class="scroll" tabIndex={0}>
          <table>
            <caption class="sr-only">{props.title}</caption>
            <thead>
              <tr>
                {props.columns.map(([h]) => (
                  <th scope="col" key={h}>
                    {h}
                  </th>
                ))}
                {props.onRemove && <th scope="col">{t('common.actions')}</th>}
              </tr>
            </thead>
            <tbody>
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
            </tbody>
          </table>
        </div>
      )}
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
