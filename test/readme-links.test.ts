import * as fs from 'fs';
import * as path from 'path';

/** The README is read by consumers on npm and GitHub: it links only to files of this repository. */
describe('README links', () => {
  const root = path.join(__dirname, '..');
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const links = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]).filter((l) => !/^(https?:|mailto:|#)/.test(l));

  test('there are relative links to check', () => {
    expect(links.length).toBeGreaterThan(5);
  });

  test.each(links.map((l) => [l]))('%s is a file of the repository', (link) => {
    const file = link.split('#')[0];
    expect(path.resolve(root, file).startsWith(root + path.sep)).toBe(true);
    expect(fs.existsSync(path.join(root, file))).toBe(true);
  });

  test('no mention of ../shared (a folder consumers do not have)', () => {
    expect(readme).not.toMatch(/\.\.\/shared/);
  });

  test('starts with how to use it in an app, before the development set-up', () => {
    const sections = [...readme.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    expect(sections[0]).toBe('Use it in your app');
    expect(sections.indexOf('Use it in your app')).toBeLessThan(sections.findIndex((s) => /fresh machine|Development/.test(s)));
  });
});
