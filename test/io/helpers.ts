/** A "billion laughs" YAML mapping: `levels` levels of 9 aliases each to the level below. */
export function laughs(levels: number, indent = ''): string {
  let y = `${indent}a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n`;
  let prev = 'a';
  for (let l = 1; l <= levels; l++) {
    const name = `l${l}`;
    y += `${indent}${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]\n`;
    prev = name;
  }
  return y;
}
