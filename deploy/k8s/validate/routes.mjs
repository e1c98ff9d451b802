// Fails on any admin route without a guard: every JAX-RS resource method whose path has an `admin`
// segment, or that sits in a class named *Admin*, must carry @AdminApi (on the method or its class),
// and every module using @AdminApi must bind a @ServerRequestFilter to it (else the annotation binds
// nothing). `--self-test` runs the check on fixtures/admin-routes, whose routes must all be caught.
//
// Usage: node routes.mjs <repo root> [--self-test]
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { javaSources } from './repo.mjs';

const VERB = /@(GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS)\b/;

/** The resource methods of one source: {route, admin, guarded}. */
function routes(file, text) {
  const src = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  const cls = src.match(/((?:@[\w.]+(?:\([^)]*\))?\s*)*)public\s+(?:final\s+)?class\s+(\w+)/);
  if (!cls) return [];
  const classPath = (cls[1].match(/@Path\(\s*"([^"]*)"\s*\)/) ?? [])[1];
  const classGuarded = /@AdminApi\b/.test(cls[1]);
  const out = [];
  // annotation block + a method signature
  for (const m of src.matchAll(/((?:@[\w.]+(?:\((?:[^()]|\([^)]*\))*\))?\s*)+)(?:public\s+)?[\w<>,.?\[\]\s]+\s(\w+)\s*\(/g)) {
    const ann = m[1];
    if (!VERB.test(ann)) continue;
    const methodPath = (ann.match(/@Path\(\s*"([^"]*)"\s*\)/) ?? [])[1] ?? '';
    const route = `${ann.match(VERB)[1]} ${`/${classPath ?? ''}/${methodPath}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1')}`;
    const admin = /(^|\/)admin(\/|$)/i.test(route.split(' ')[1]) || /Admin/.test(cls[2]);
    out.push({ file, route, method: m[2], admin, guarded: classGuarded || /@AdminApi\b/.test(ann) });
  }
  return out;
}

/** @param sources {file, text}[] grouped by module (path before /src/main/java/ or the fixture dir) */
function check(sources) {
  const problems = [];
  const modules = new Map();
  for (const s of sources) {
    const module = s.file.includes('/src/main/java/') ? s.file.split('/src/main/java/')[0] : s.file.replace(/\/[^/]+$/, '');
    if (!modules.has(module)) modules.set(module, []);
    modules.get(module).push(s);
  }
  let adminRoutes = 0;
  for (const [module, files] of modules) {
    const all = files.flatMap((f) => routes(f.file, f.text));
    for (const r of all.filter((x) => x.admin && !x.guarded)) problems.push(`${r.file}: admin route ${r.route} (${r.method}) has no guard (@AdminApi)`);
    const bound = files.some((f) => /@AdminApi\s+(?:@[\w.]+\s+)*@ServerRequestFilter|@ServerRequestFilter\s+(?:@[\w.]+\s+)*@AdminApi/.test(f.text));
    if (all.some((r) => r.admin && r.guarded) && !bound) problems.push(`${module}: uses @AdminApi but binds no @ServerRequestFilter to it, so nothing checks the admin token`);
    adminRoutes += all.filter((r) => r.admin).length;
  }
  return { problems, adminRoutes };
}

const [root, flag] = process.argv.slice(2);
const load = (files) => files.map((f) => ({ file: relative(root, f), text: readFileSync(f, 'utf8') }));
if (flag === '--self-test') {
  const dir = join(root, 'deploy/k8s/validate/fixtures/admin-routes');
  const fixtures = readdirSync(dir).filter((f) => f.endsWith('.java')).map((f) => join(dir, f));
  const { problems } = check(load(fixtures));
  const expected = [/OpenAdmin\.java: admin route POST \/v1\/admin\/reset .*no guard/, /OpenAdmin\.java: admin route GET \/v1\/ops\/state .*no guard/];
  const missed = expected.filter((e) => !problems.some((p) => e.test(p)));
  const unbound = problems.some((p) => p.includes('binds no @ServerRequestFilter'));
  console.log(`self-test: ${missed.length || !unbound ? 'FAILED' : 'unguarded admin routes and an unbound guard are detected'}`);
  for (const p of problems) console.log(`  caught: ${p}`);
  for (const e of missed) console.log(`  missed: ${e}`);
  if (!unbound) console.log('  missed: a module with @AdminApi but no filter bound to it');
  process.exit(missed.length || !unbound ? 1 : 0);
}
const { problems, adminRoutes } = check(load(javaSources(root)));
// a parser that finds nothing would pass everything: the services have admin routes
if (adminRoutes < 2) problems.push(`found only ${adminRoutes} admin routes in the sources; the route parser is broken`);
console.log(`${adminRoutes} admin routes checked for a guard`);
for (const p of problems) console.log(`  ${p}`);
process.exit(problems.length ? 1 : 0);
