import { LIMITS, type NoteInput } from '@confab/protocol';
import Joi from 'joi';

import { clientIdSchema } from '../messages/schemas.js';

export const noteCreateSchema = Joi.object<NoteInput>({
  text: Joi.string().trim().min(1).max(LIMITS.messageTextMax).required(),
  clientId: clientIdSchema.required(),
});
