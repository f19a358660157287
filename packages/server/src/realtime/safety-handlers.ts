import { bind } from './bind.js';
import type { HandlerContext } from './handlers.js';
import type { ChatSocket } from './types.js';

/** Pins and reports over the socket: each answered as its REST twin. */
export function registerSafetyHandlers(ctx: HandlerContext, socket: ChatSocket): void {
  const { services } = ctx;
  const actor = () => socket.data.actor;

  bind(ctx, socket, 'message:pin', async ({ messageId }) => ({ pin: await services.pins.pinMessage(actor(), messageId) }));

  bind(ctx, socket, 'message:unpin', async ({ messageId }) => {
    await services.pins.unpinMessage(actor(), messageId);
    return { ok: true as const };
  });

  bind(ctx, socket, 'message:report', async ({ messageId, ...input }) => ({
    report: (await services.messageReports.report(actor(), messageId, input)).report,
  }));
}
