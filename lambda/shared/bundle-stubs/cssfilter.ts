/**
 * Stand-in for `cssfilter` in deployed bundles only (esbuild alias in
 * lib/constructs/compute/bundling.ts). js-xss uses cssfilter for one thing: cleaning the value of
 * a whitelisted `style` attribute. No Rampart profile whitelists `style` (a test keeps it so), so
 * the 9 KB library is dead code in every bundle; this stand-in fails closed all the same: any
 * style value it is asked about comes back empty. Tests run against the real library.
 */
export class FilterCSS {
  process(): string {
    return '';
  }
}

export function getDefaultWhiteList(): Record<string, boolean> {
  return {};
}
