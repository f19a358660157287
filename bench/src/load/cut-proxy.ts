// The network between a group of clients and a server: a TCP relay whose `cut()` resets every
// connection through it at once, as a load balancer, NAT or Wi-Fi drop does. Neither side is told
// beforehand; both see ECONNRESET, and the clients reconnect on their own, through the relay again.
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';

export interface CutProxy {
  /** `http://127.0.0.1:PORT`: give it to the clients instead of the server's URL. */
  url: string;
  /** Resets every open connection (both halves); returns how many were cut. */
  cut(): number;
  close(): Promise<void>;
}

export function startCutProxy(target: string): Promise<CutProxy> {
  const { hostname, port } = new URL(target);
  const open = new Set<[Socket, Socket]>();
  const server = createServer((inbound) => {
    const outbound = connect({ host: hostname, port: Number(port) });
    const pair: [Socket, Socket] = [inbound, outbound];
    open.add(pair);
    for (const socket of pair) {
      socket.setNoDelay(true);
      socket.on('error', () => undefined); // the other half is torn down on 'close'
      socket.on('close', () => {
        open.delete(pair);
        inbound.destroy();
        outbound.destroy();
      });
    }
    inbound.pipe(outbound);
    outbound.pipe(inbound);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${address.port}`,
        cut: () => {
          const pairs = [...open];
          open.clear();
          for (const pair of pairs) for (const socket of pair) reset(socket);
          return pairs.length;
        },
        close: () =>
          new Promise<void>((done) => {
            for (const pair of open) for (const socket of pair) socket.destroy();
            open.clear();
            server.close(() => done());
          }),
      });
    });
  });
}

function reset(socket: Socket): void {
  try {
    socket.resetAndDestroy();
  } catch {
    socket.destroy(); // not a TCP handle any more (already closing)
  }
}
