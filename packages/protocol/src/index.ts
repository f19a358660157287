export * from './api-schemas.js';
export * from './dto.js';
export * from './errors.js';
export * from './events.js';
export * from './inputs.js';
export * from './limits.js';
export * from './routes.js';
export * from './support.js';
