import type { ComponentChildren, JSX } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { useI18n } from '../i18n/index.js';

/** Moves to another console path without reloading the page. */
export function navigate(path: string): void {
  history.pushState(null, '', path);
  dispatchEvent(new PopStateEvent('popstate'));
}

export function Link(props: { href: string; children: ComponentChildren; class?: string; current?: boolean }): JSX.Element {
  return (
    <a
      href={props.href}
      class={props.class}
      aria-current={props.current ? 'page' : undefined}
      onClick={(e) => {
        if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        navigate(props.href);
      }}
    >
      {props.children}
    </a>
  );
}

/** An error shown where it happened, announced to screen readers. */
export function ErrorBox(props: { error: unknown }): JSX.Element | null {
  const { error } = useI18n();
  if (!props.error) return null;
  return (
    <p class="error" role="alert">
      {error(props.error)}
    </p>
  );
}

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/** Loads `f` now and again on reload (or when `deps` change); a poll interval keeps it fresh. */
export function useLoad<T>(f: () => Promise<T>, deps: unknown[], pollMs?: number): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [n, setN] = useState(0);
  const reload = useCallback(() => setN((x) => x + 1), []);
  useEffect(() => {
    let live = true;
    setLoading(true);
    f().then(
      (d) => {
        if (!live) return;
        setData(d);
        setError(null);
        setLoading(false);
      },
      (e: unknown) => {
        if (!live) return;
        setError(e);
        setLoading(false);
      },
    );
    const timer = pollMs ? setTimeout(reload, pollMs) : undefined;
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [...deps, n]);
  return { data, error, loading, reload };
}

/** Runs an action, keeping its error to show beside its control. */
export function useAction(): { busy: boolean; error: unknown; run: (f: () => Promise<unknown>) => Promise<boolean>; clear: () => void } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async (f: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true);
    setError(null);
    try {
      await f();
      return true;
    } catch (e) {
      setError(e);
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run, clear: () => setError(null) };
}

/**
 * A modal confirmation for a destructive action. With `typed`, the user types that word (the app's
 * name) before the button works, as `apps:destroy --confirm NAME` asks.
 */
export function Confirm(props: {
  title: string;
  body: string;
  typed?: string;
  confirmLabel: string;
  onConfirm: () => Promise<unknown>;
  onClose: () => void;
}): JSX.Element {
  const { t } = useI18n();
  const ref = useRef<HTMLDialogElement>(null);
  const [typed, setTyped] = useState('');
  const action = useAction();
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  const ok = props.typed === undefined || typed === props.typed;
  return (
    <dialog ref={ref} class="confirm" aria-labelledby="confirm-title" onClose={props.onClose}>
      <form
        method="dialog"
        onSubmit={async (e) => {
          e.preventDefault();
          if (!ok) return;
          if (await action.run(props.onConfirm)) props.onClose();
        }}
      >
        <h2 id="confirm-title">{props.title}</h2>
        <p>{props.body}</p>
        {props.typed !== undefined && (
          <label>
            {t('confirm.type', { word: props.typed })}
            <input value={typed} onInput={(e) => setTyped(e.currentTarget.value)} autoComplete="off" />
          </label>
        )}
        <ErrorBox error={action.error} />
        <div class="actions">
          <button type="button" onClick={props.onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" class="danger" disabled={!ok || action.busy}>
            {props.confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}

export function Empty(props: { children: ComponentChildren }): JSX.Element {
  return <p class="empty">{props.children}</p>;
}

export function StateBadge(props: { state: string; label: string }): JSX.Element {
  return <span class={`badge state-${props.state}`}>{props.label}</span>;
}
