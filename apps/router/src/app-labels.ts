/**
 * The `app` label of the router's per-request metrics, with bounded cardinality: the first `max`
 * apps seen keep a value of their own, later ones share `_other`, and requests no app answered (the
 * router's own pages, unknown hosts, unparsable heads) are `_none`. Neither is a valid app name
 * (app names have no `_`), so they never mix with an app's series.
 */
export class AppLabels {
  static readonly none = '_none';
  static readonly other = '_other';
  /** Label values by index: 0 `_none`, 1 `_other`, then the apps in the order they came. */
  readonly values: string[] = [AppLabels.none, AppLabels.other];
  private readonly index = new Map<string, number>();

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 0) throw new Error('the app label cap must be a whole number');
  }

  /** The index of an app's label value (an app past the cap: `_other`'s). */
  of(app: string | undefined): number {
    if (app === undefined || app === '') return 0;
    const i = this.index.get(app);
    if (i !== undefined) return i;
    if (this.index.size >= this.max) return 1;
    this.values.push(app);
    this.index.set(app, this.values.length - 1);
    return this.values.length - 1;
  }
}
