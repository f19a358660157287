// The floor of any Lit + Socket.IO widget (SPEC §10 P5): what the two libraries cost minified.
export { LitElement, html, css, nothing } from 'lit';
export { customElement, property, state } from 'lit/decorators.js';
export { io } from 'socket.io-client';
