import { LABEL_COLOURS, type LabelInput, LIMITS } from '@confab/protocol';
import Joi from 'joi';

const name = Joi.string().trim().min(1).max(LIMITS.labelNameMax);
const colour = Joi.string()
  .valid(...LABEL_COLOURS)
  .messages({ 'any.only': `{#label} must be one of ${LABEL_COLOURS.join(', ')}` });

export const labelCreateSchema = Joi.object<LabelInput>({
  name: name.required(),
  colour: colour.required(),
});

export const labelUpdateSchema = Joi.object<Partial<LabelInput>>({ name, colour }).min(1);
