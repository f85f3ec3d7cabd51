/** The object without undefined fields, or undefined when nothing is left (never `{}`). */
export function compact<T>(o: { [K in keyof T]: T[K] | undefined }): T | undefined {
  const entries = Object.entries(o).filter(([, v]) => v !== undefined);
  return entries.length > 0 ? (Object.fromEntries(entries) as T) : undefined;
}
