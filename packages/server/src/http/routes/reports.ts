import { REPORT_SPAN_DAYS_MAX } from '@confab/protocol';

import { reportQuerySchema } from '../../services/support/report-schemas.js';
import { route } from '../route.js';

const tag = 'support';

export const reportRoutes = [
  route('GET /v1/support/reports', {
    tag,
    summary: "Figures of the team's support work over a period, by day, agent or label",
    description:
      'The period is `from` to `to` (exclusive): ISO dates, read as midnight in `timezone` (an IANA zone, `UTC` by ' +
      'default), or date-times (with an offset, or read in `timezone`); by default the last 7 days including today, ' +
      `at most ${REPORT_SPAN_DAYS_MAX} days (\`validation_failed\` otherwise, or when \`to\` is not after \`from\`). ` +
      'Figures: `opened`, conversations created in the period; `resolved`, resolutions in the period (a conversation ' +
      'resolved twice counts twice); `firstResponse`, for the conversations opened in the period that an agent ' +
      'answered, the seconds from creation to the first text message by an agent or admin; `resolution`, for each ' +
      'resolution in the period, the seconds from the start of its round (the creation or, after an earlier ' +
      'resolution, the first reopen or pending after it); `csat`, the ratings created in the period (average of two ' +
      'decimals, and count). Durations are `percentile_cont` medians and 90th percentiles, in whole seconds, with ' +
      'their sample count. `groupBy=day` (default) gives every day of the period in `timezone`, days without activity ' +
      'included; a first response counts on the day its conversation opened. `groupBy=agent` gives every agent and ' +
      'admin: `opened` counts the conversations now assigned to them, the first response goes to who sent it, ' +
      'resolutions to who resolved, ratings to who resolved the rated resolution. `groupBy=label` gives every label, ' +
      'each with the figures of the conversations carrying it now. `totals` covers the whole period once (rows need ' +
      "not add up to it). Only the caller's app; agents and admins only (`forbidden` otherwise).",
    query: reportQuerySchema,
    handler: async ({ services, actor, input }) => services.reports.report(actor, input.query),
  }),
];
