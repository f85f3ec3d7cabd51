#!/usr/bin/env bash
# The consumer test (issue 16): packs this package, installs the tarball into a fresh cdk8s app
# (TypeScript ~6.0, jest with ts-jest), writes the `// file:` code blocks of docs/extending.md into it,
# then type-checks the app (our .d.ts included: no skipLibCheck), synthesizes it with node as
# `cdk8s synth` runs it, and runs its jest test. Dependencies come from the npm cache when present.
# Usage: test/consumer/run.sh [workdir]   (a temporary folder, removed afterwards, by default)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
if [ $# -ge 1 ]; then work=$1; mkdir -p "$work"; else
  work=$(mktemp -d "${TMPDIR:-/tmp}/cdk8s-istio-consumer.XXXXXX")
  trap 'rm -rf "$work"' EXIT
fi
cd "$root"
step() { echo "consumer: $* ($(( $(date +%s) - start ))s)"; }
start=$(date +%s)
# lib/ up to date (the jest wrapper builds it under the shared build lock and sets CONSUMER_LIB_BUILT=1)
[ "${CONSUMER_LIB_BUILT:-}" = 1 ] || npx tsc --build tsconfig.json
tarball=$(npm pack --ignore-scripts --silent --pack-destination "$work" | tail -1)
step "packed $tarball"
dep() { node -e "const p=require('./package.json');process.stdout.write((p.devDependencies||{})['$1']||(p.peerDependencies||{})['$1'])"; }

cd "$work"
mkdir -p src test
cat > package.json <<JSON
{
  "name": "shop",
  "private": true,
  "dependencies": {
    "cdk8s-istio": "file:./$tarball",
    "cdk8s": "$(cd "$root" && dep cdk8s)",
    "cdk8s-plus-28": "$(cd "$root" && dep cdk8s-plus-28)",
    "constructs": "$(cd "$root" && dep constructs)"
  },
  "devDependencies": {
    "typescript": "$(cd "$root" && dep typescript)",
    "jest": "^29",
    "ts-jest": "^29",
    "@types/jest": "^29",
    "@types/node": "^20"
  }
}
JSON
cat > tsconfig.json <<'JSON'
{
  "compilerOptions": {
    "target": "ES2022",
    "module": "nodenext",
    "strict": true,
    "isolatedModules": true,
    "outDir": "lib",
    "rootDir": ".",
    "types": ["node", "jest"]
  },
  "include": ["src", "test"]
}
JSON
cat > jest.config.js <<'JS'
module.exports = {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
};
JS
printf 'language: typescript\napp: node lib/src/app.js\n' > cdk8s.yaml
# the docs' code blocks, as files
node -e "
const fs = require('fs'), path = require('path');
const md = fs.readFileSync('$root/docs/extending.md', 'utf8');
let n = 0;
for (const m of md.matchAll(/\`\`\`ts\n\/\/ file: (\S+)\n([\s\S]*?)\`\`\`/g)) {
  fs.mkdirSync(path.dirname(m[1]), { recursive: true });
  fs.writeFileSync(m[1], m[2]);
  n++;
}
if (n === 0) { console.error('no // file: blocks in docs/extending.md'); process.exit(1); }
console.log('consumer: wrote ' + n + ' files from docs/extending.md');
"
npm install --prefer-offline --no-audit --no-fund --loglevel=error
step "installed"
installed=$(node -p "require('typescript').version")
case "$installed" in 6.0.*) ;; *) echo "consumer: expected TypeScript 6.0, got $installed" >&2; exit 1 ;; esac
npx tsc -p tsconfig.json
step "type-checked with TypeScript $installed"
CDK8S_OUTDIR=dist node lib/src/app.js
grep -q 'kind: VirtualService' dist/shop.k8s.yaml
grep -q 'kind: AuthorizationPolicy' dist/shop.k8s.yaml
step "synthesized dist/shop.k8s.yaml ($(grep -c '^kind:' dist/shop.k8s.yaml) objects)"
npx jest --ci
step "jest passed"
