/**
 * Type-level checks of the catalogues. en-US is the source of truth: its templates are string
 * literal types (`as const`), so the compiler can read their `{placeholders}`. `t()` asks for
 * exactly those params, and every other locale must have exactly en-US's keys and, key by key,
 * exactly its placeholders. Imports nothing, so any catalogue file may use it without a cycle.
 */

/** The `{name}` placeholders of a template literal type, as a union ('never' when none). */
export type Placeholders<Template extends string> = Template extends `${string}{${infer Name}}${infer Rest}`
  ? Name | Placeholders<Rest>
  : never;

/** The params a template needs: one string or number per placeholder, no more, no fewer. */
export type ParamsOf<Template extends string> = { readonly [Name in Placeholders<Template>]: string | number };

type SameUnion<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type PlaceholderList<Template extends string> = [Placeholders<Template>] extends [never]
  ? 'none'
  : `{${Placeholders<Template>}}`;

/** Any string at the leaves, the same nesting as `English`. */
export type Shape<English> = {
  readonly [K in keyof English]: English[K] extends string ? string : Shape<English[K]>;
};

/**
 * What a translation `Tree` of the en-US subtree `English` must also be. A leaf whose placeholders
 * differ from en-US's, or a key en-US lacks, demands an impossible property that names the
 * problem, so the compiler's error points at that line and says what en-US expects.
 */
type Checked<English, Tree> = {
  readonly [K in keyof Tree]: K extends keyof English
    ? English[K] extends string
      ? Tree[K] extends string
        ? SameUnion<Placeholders<Tree[K]>, Placeholders<English[K]>> extends true
          ? unknown
          : { readonly 'en-US placeholders': PlaceholderList<English[K]> }
        : unknown
      : Checked<English[K], Tree[K]>
    : { readonly 'not a key of en-US': K };
} & { readonly [K in Exclude<keyof English, keyof Tree>]: English[K] extends string ? string : Shape<English[K]> };

/**
 * Declares a translation of the en-US subtree `English`:
 * `export const card = translation<typeof english>()({ ... })`. Missing keys, extra keys and
 * placeholders that differ from en-US's are compile errors at the offending line.
 */
export function translation<English>() {
  return <const Tree extends object>(tree: Tree & Checked<English, Tree>): Tree => tree;
}
