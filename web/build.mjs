// SPDX-License-Identifier: Apache-2.0
// Bundles the portal: OUT/index.html plus content-hashed OUT/assets/app.HASH.{js,css}.
//   node build.mjs [--src DIR] [--out DIR]
// The CMake build runs it from a copy next to its own node_modules (outside the
// source tree), so modules are looked up beside this script, not beside the sources.
import * as esbuild from 'esbuild';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
    options: { src: { type: 'string' }, out: { type: 'string' } },
});
const src = path.resolve(values.src ?? path.join(here, 'src'));
const out = path.resolve(values.out ?? path.join(here, 'dist'));
const assets = path.join(out, 'assets');

// Stale hashed files would otherwise pile up and stay servable.
fs.rmSync(assets, { recursive: true, force: true });
fs.mkdirSync(assets, { recursive: true });

const result = await esbuild.build({
    entryPoints: { app: path.join(src, 'main.js') },
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['es2020'],
    outdir: assets,
    write: false,
    nodePaths: [path.join(here, 'node_modules')],
    legalComments: 'eof',
    logLevel: 'warning',
});

// Named app.<16 hex of SHA-256>.{js,css}: the server marks names with a hex
// content hash immutable, so a new build is never hidden by a cached copy.
const names = {};
for (const f of result.outputFiles) {
    const ext = path.extname(f.path).slice(1);
    if (ext !== 'js' && ext !== 'css') {
        console.error(`build.mjs: unexpected output ${f.path}`);
        process.exit(1);
    }
    const hash = crypto.createHash('sha256').update(f.contents).digest('hex').slice(0, 16);
    names[ext] = `app.${hash}.${ext}`;
    fs.writeFileSync(path.join(assets, names[ext]), f.contents);
}
const js = names.js;
const css = names.css;
if (!js || !css) {
    console.error('build.mjs: esbuild produced no JS or CSS bundle');
    process.exit(1);
}

fs.copyFileSync(path.join(src, 'favicon.svg'), path.join(assets, 'favicon.svg'));
const html = fs
    .readFileSync(path.join(src, 'index.html'), 'utf8')
    .replace('@CSS@', `/assets/${css}`)
    .replace('@JS@', `/assets/${js}`);
// Written last and atomically: index.html appearing means the build is complete.
fs.writeFileSync(path.join(out, 'index.html.tmp'), html);
fs.renameSync(path.join(out, 'index.html.tmp'), path.join(out, 'index.html'));
console.log(`web: ${path.relative(process.cwd(), out) || '.'}/index.html, assets/${js}, assets/${css}`);
