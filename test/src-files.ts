import * as fs from 'fs';
import * as path from 'path';

/** The package's source folder. */
export const SRC = path.join(__dirname, '..', 'src');

/** Every .ts file under src/, as a path relative to src/ with forward slashes, sorted. */
export function sourceFiles(dir = SRC): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(full));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(path.relative(SRC, full).split(path.sep).join('/'));
  }
  return out.sort();
}
