/** A UTF-16 surrogate that is not half of a pair. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Whether `value` holds a lone surrogate (`"\ud800"` in JSON): not Unicode text, and encoding it to
 * UTF-8 (for PostgreSQL, or any response) silently turns it into U+FFFD, so what is stored would not
 * be what the client sent. `String.prototype.isWellFormed` says the same from ES2024 on.
 */
export function hasLoneSurrogate(value: string): boolean {
  return LONE_SURROGATE.test(value);
}
