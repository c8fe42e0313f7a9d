import axe from 'axe-core';
import { expect } from 'vitest';

/** Fails on accessibility violations of serious or critical impact in the current page. */
export async function expectNoSeriousA11yViolations(): Promise<void> {
  const results = await axe.run(document, {
    resultTypes: ['violations'],
    // jsdom does not lay out or paint, so contrast cannot be measured here.
    rules: { 'color-contrast': { enabled: false } },
  });
  const serious = results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).join(', ')})`,
    );
  expect(serious).toEqual([]);
}
