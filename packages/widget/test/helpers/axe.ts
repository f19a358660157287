import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

import type { AxeResults, RunOptions } from 'axe-core';
import type { Locator, Page } from 'playwright-core';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** WCAG 2.0 and 2.1, levels A and AA. */
export const WCAG_TAGS: readonly string[] = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
/** WCAG A and AA and axe's best practices: what a scan runs unless told otherwise. */
export const AXE_TAGS: readonly string[] = [...WCAG_TAGS, 'best-practice'];

export type Theme = 'light' | 'dark';

export interface AxeFinding {
  /** The `theme` attribute set for the run that found it; null when the scan left the theme alone. */
  theme: Theme | null;
  id: string;
  impact: string | null;
  help: string;
  /** Each node's selector path (through shadow roots), as JSON. */
  targets: string[];
  /** The start of each node's markup. */
  html: string[];
}

export interface AxeOptions {
  /** Runs once per theme, with the `theme` attribute set on `element`; leaves it light. */
  themes?: readonly Theme[];
  /** Where the theme goes: the scanned element unless given. */
  element?: Locator;
  /** The rule tags to run: AXE_TAGS unless given. */
  tags?: readonly string[];
  /** The impacts reported: serious and critical unless given. */
  impacts?: readonly string[];
}

export interface AxeScan {
  findings: AxeFinding[];
  /** Elements whose contrast axe could compute, fewest over the runs (shows that the scan reached the shadow DOM). */
  contrastChecked: number;
}

/** The part of axe-core's API a scan uses, as the injected script puts it on `window`. */
interface AxeWindow {
  axe: { run(context: Element, options: RunOptions): Promise<AxeResults> };
}

/**
 * Runs axe-core on the element matching `selector` (shadow DOM included). axe is evaluated by the
 * test driver over the DevTools protocol, so the page's strict CSP stays on for its own scripts.
 */
export async function axeScan(page: Page, selector: string, options: AxeOptions = {}): Promise<AxeScan> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const host = options.element ?? page.locator(selector);
  const args = { selector, tags: [...(options.tags ?? AXE_TAGS)], impacts: [...(options.impacts ?? ['serious', 'critical'])] };
  const findings: AxeFinding[] = [];
  let contrastChecked = Infinity;
  for (const theme of options.themes?.length ? options.themes : [null]) {
    if (theme) await host.evaluate((el, t) => el.setAttribute('theme', t), theme);
    const run = await page.evaluate(async ({ selector, tags, impacts }) => {
      const { axe } = window as unknown as AxeWindow;
      const target = document.querySelector(selector);
      if (!target) throw new Error(`axe: nothing matches ${selector}`);
      const results = await axe.run(target, { runOnly: tags });
      return {
        found: results.violations
          .filter((v) => impacts.includes(v.impact ?? ''))
          .map((v) => ({
            id: v.id,
            impact: v.impact ?? null,
            help: v.help,
            targets: v.nodes.map((n) => JSON.stringify(n.target)),
            html: v.nodes.map((n) => String(n.html).slice(0, 160)),
          })),
        contrastChecked: results.passes.find((p) => p.id === 'color-contrast')?.nodes.length ?? 0,
      };
    }, args);
    findings.push(...run.found.map((f) => ({ theme, ...f })));
    contrastChecked = Math.min(contrastChecked, run.contrastChecked);
  }
  if (options.themes?.length) await host.evaluate((el) => el.setAttribute('theme', 'light'));
  return { findings, contrastChecked };
}

/** The serious and critical axe-core findings on the element matching `selector` (see axeScan). */
export async function axeFindings(page: Page, selector: string, options: AxeOptions = {}): Promise<AxeFinding[]> {
  return (await axeScan(page, selector, options)).findings;
}
