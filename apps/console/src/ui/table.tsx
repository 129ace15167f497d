import type { ComponentChildren, JSX } from 'preact';
import { Empty } from './kit.js';

/**
 * A data table: a caption for screen readers, column headings, and the rows given as children; when
 * `count` is 0 the `empty` text instead. Wide tables scroll sideways (at phone width), and the
 * scrolling region takes keyboard focus.
 */
export function Table(props: { caption: string; headings: string[]; count: number | undefined; empty: string; class?: string; children: ComponentChildren }): JSX.Element | null {
  if (props.count === undefined) return null;
  if (props.count === 0) return <Empty>{props.empty}</Empty>;
  return (
    <div class="scroll" tabIndex={0}>
      <table class={props.class}>
        <caption class="sr-only">{props.caption}</caption>
        <thead>
          <tr>
            {props.headings.map((h, i) => (
              <th scope="col" key={i}>
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{props.children}</tbody>
      </table>
    </div>
  );
}
