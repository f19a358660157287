// <chat-widget> and <chat-inbox> arrive with the widget issue; this entry keeps the package buildable.
export const WIDGET_VERSION = '0.1.0';
