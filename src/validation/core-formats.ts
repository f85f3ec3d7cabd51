/**
 * The formats that kubernetes-models' compiled validators look up in
 * `require("@kubernetes-models/validate").formats`. core-kinds.ts hands the validators this table
 * instead of that module, whose index also loads ajv-i18n, the draft-2019 formats and their parsers
 * (about 50 modules, ~70 ms in a fresh process) for formats the core kinds never use:
 * - int32, int64, double and date-time are ajv-formats' own definitions, which that package re-exports
 *   unchanged (loaded from `ajv-formats/dist/formats.js`, one module);
 * - byte and quantity are that package's own definitions, restated here;
 * - any other name falls through to the package's table, loaded on first use.
 * test/validation/core-kinds-loader.test.ts checks that the shared ones are the very same objects, that
 * byte and quantity accept exactly what the package's do, and that the core kinds' validators use no
 * other format.
 */

/** Formats the package takes from ajv-formats unchanged. */
export const SHARED_CORE_FORMATS: readonly string[] = ['int32', 'int64', 'double', 'date-time'];

/** A number (signed; digits with an optional fraction, or a leading-dot fraction). */
const NUMBER = '[+-]?(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)';

/** The package's own formats the core kinds use, as `{ type, validate }` (ajv's format definitions). */
export const OWN_CORE_FORMATS: Readonly<Record<string, { readonly type: string; readonly validate: ((x: any) => boolean) | RegExp }>> = {
  // padded base64
  byte: { type: 'string', validate: (x: any) => /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(x) },
  // kubernetes-models' loose quantity: a number, then a binary or decimal SI suffix or an exponent
  quantity: { type: 'string', validate: new RegExp(`^${NUMBER}(?:[KMGTPE]i|da|[YZEPTGMkhdcmunpfazy]|[eE]${NUMBER})?$`) },
};

/**
 * What the validators get for `require("@kubernetes-models/validate")`. `ajvFormats` loads
 * ajv-formats' table, `packageFormats` the package's own; each only when a name needs it.
 */
export function coreValidateModule(ajvFormats: () => Record<string, unknown>, packageFormats: () => Record<string, unknown>): { readonly formats: Record<string, unknown> } {
  const own = OWN_CORE_FORMATS as Record<string, unknown>;
  const formats = new Proxy(own, {
    get: (_t, name) => {
      if (typeof name !== 'string') return undefined;
      if (Object.prototype.hasOwnProperty.call(own, name)) return own[name];
      return SHARED_CORE_FORMATS.includes(name) ? ajvFormats()[name] : packageFormats()[name];
    },
  });
  return { formats };
}
