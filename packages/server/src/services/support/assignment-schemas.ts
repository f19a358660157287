import { ASSIGNMENT_LIMITS, ASSIGNMENT_MODES, type AssignmentSettingsDto } from '@confab/protocol';
import Joi from 'joi';

const { limitMin, limitMax, requeueMin, requeueMax } = ASSIGNMENT_LIMITS;

/** `PUT /v1/support/assignment`, and `assignment` in the admin API's app settings. */
export const assignmentSchema = Joi.object<AssignmentSettingsDto>({
  mode: Joi.string()
    .valid(...ASSIGNMENT_MODES)
    .required(),
  limit: Joi.number().integer().strict().min(limitMin).max(limitMax),
  requeueAfterMinutes: Joi.number().integer().strict().min(requeueMin).max(requeueMax).allow(null),
});
