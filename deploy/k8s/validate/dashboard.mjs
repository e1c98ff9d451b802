// Checks deploy/grafana/*.json: valid JSON, a dashboard with a uid, unique panel ids, panels on a
// Prometheus datasource, and every query valid PromQL — the queries, with the dashboard's
// variables filled in, go through `promtool check rules` as recording rules.
import { readFileSync, readdirSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { stringify } from 'yaml';

const root = process.argv[2];
const dir = join(root, 'deploy/grafana');
const problems = [];
const rules = [];
for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
  let d;
  try {
    d = JSON.parse(readFileSync(join(dir, f), 'utf8'));
  } catch (e) {
    problems.push(`${f}: ${e.message}`);
    continue;
  }
  if (!d.uid || !d.title || !Array.isArray(d.panels) || !d.panels.length) problems.push(`${f}: needs uid, title and panels`);
  const ids = d.panels.map((p) => p.id);
  if (new Set(ids).size !== ids.length) problems.push(`${f}: panel ids are not unique`);
  const vars = new Set((d.templating?.list ?? []).map((v) => v.name));
  for (const p of d.panels.filter((x) => x.type !== 'row')) {
    if (p.datasource?.type !== 'prometheus') problems.push(`${f}: panel "${p.title}" is not on Prometheus`);
    if (!p.targets?.length) problems.push(`${f}: panel "${p.title}" has no query`);
    for (const t of p.targets ?? []) {
      for (const [, v] of t.expr.matchAll(/\$\{?(\w+)\}?/g)) if (!vars.has(v) && !v.startsWith('__')) problems.push(`${f}: "${p.title}" uses undefined variable $${v}`);
      rules.push({ record: `grafana:panel_${p.id}_${t.refId}`, expr: t.expr.replace(/\$\{?\w+\}?/g, '.*') });
    }
  }
}
const tmp = mkdtempSync(join(tmpdir(), 'dashboard-'));
writeFileSync(join(tmp, 'queries.yml'), stringify({ groups: [{ name: 'dashboard-queries', rules }] }));
const r = spawnSync('promtool', ['check', 'rules', join(tmp, 'queries.yml')], { encoding: 'utf8' });
rmSync(tmp, { recursive: true });
if (r.status !== 0) problems.push(`PromQL of the dashboard does not parse:\n${r.stdout}${r.stderr}`);
for (const p of problems) console.log(`  ${p}`);
console.log(`${rules.length} dashboard queries checked`);
process.exit(problems.length ? 1 : 0);
