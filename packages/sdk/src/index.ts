// The client (createClient, rooms, the store) arrives with the SDK issue; the error type is shared now.
export { ChatError } from './errors.js';
export type * from '@confab/protocol';
