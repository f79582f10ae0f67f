// @ts-check
'use strict';
/**
 * The parts of RESULTS.md that no run measures: the figures of an earlier run to compare with
 * (`bench/before.json`), and the CPU profiles of the request path (`bench/PROFILE.md`, written by
 * hand from `bench/profile.sh`). Both are read at every run, so that rewriting RESULTS.md keeps them.
 */
const fs = require('node:fs');
const path = require('node:path');
const { ROOT } = require('./settings');

/**
 * "Before and after": each target's figure in `bench/before.json` next to this run's.
 * @param {import('./types').TargetRow[]} rows
 * @param {(headers: string[], rows: string[][]) => string} table
 * @returns {string[]} markdown lines (none without bench/before.json)
 */
function beforeAfter(rows, table) {
  const file = path.join(ROOT, 'bench', 'before.json');
  if (!fs.existsSync(file)) return [];
  /** @type {{ label: string, targets: Record<string, string> }} */
  const before = JSON.parse(fs.readFileSync(file, 'utf8'));
  const compared = rows
    .filter((row) => before.targets[row.target] !== undefined)
    .map((row) => [row.target, before.targets[row.target], `${row.ratio} (${row.measured})`, row.verdict]);
  return [
    '## Before and after',
    '',
    `Before: ${before.label} (\`bench/before.json\`). After: this run. Each is a ratio within its own run.`,
    '',
    table(['target', 'before', 'after (this run)', 'verdict now'], compared),
    '',
  ];
}

/**
 * `bench/PROFILE.md` under "Where a request's time goes", its headings one level down.
 * @returns {string[]}
 */
function profileSection() {
  const file = path.join(ROOT, 'bench', 'PROFILE.md');
  if (!fs.existsSync(file)) return [];
  const text = fs
    .readFileSync(file, 'utf8')
    .replace(/^# .*\n+/, '')
    .replace(/^(#{2,5}) /gm, '#$1 ')
    .trimEnd();
  return [
    "## Where a request's time goes",
    '',
    `Hand-written from CPU profiles (\`bench/PROFILE.md\`, \`bench/profile.sh\`), not measured by this run.`,
    '',
    text,
    '',
  ];
}

module.exports = { beforeAfter, profileSection };
