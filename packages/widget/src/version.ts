// Written by scripts/sync-version.mjs from package.json; do not edit.
export const WIDGET_VERSION = '0.1.0';
