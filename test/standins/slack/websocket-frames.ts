import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/** RFC 6455's fixed GUID for `Sec-WebSocket-Accept`. */
const HANDSHAKE_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export const OPCODE = { continuation: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 } as const;

export interface WebSocketHandlers {
  onText(text: string): void;
  onClose(): void;
}

/** Why an upgrade request is not a WebSocket handshake RFC 6455 accepts; `undefined` when it is one. */
export const handshakeProblem = (req: IncomingMessage): string | undefined => {
  if (req.method !== 'GET') return 'not a GET';
  if (req.headers.upgrade?.toLowerCase() !== 'websocket') return 'no Upgrade: websocket';
  if (req.headers['sec-websocket-version'] !== '13') return 'not WebSocket version 13';
  const key = req.headers['sec-websocket-key'];
  if (typeof key !== 'string' || Buffer.from(key, 'base64').length !== 16) return 'bad Sec-WebSocket-Key';
  return undefined;
};

/** One server-side WebSocket on an upgraded socket: text frames, close, ping/pong, no extensions. */
export class ServerWebSocket {
  private buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private closed = false;

  constructor(
    private readonly socket: Duplex,
    private readonly handlers: WebSocketHandlers,
  ) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('close', () => this.finish());
    socket.on('error', () => this.finish());
  }

  /** Answers the handshake with 101 (no extension, no subprotocol: the client asked for none we take). */
  static accept(req: IncomingMessage, socket: Duplex, handlers: WebSocketHandlers): ServerWebSocket {
    const accept = createHash('sha1')
      .update(`${String(req.headers['sec-websocket-key'])}${HANDSHAKE_GUID}`)
      .digest('base64');
    socket.write(
      [
        'HTTP/1.1 101 Switching Protocols',
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Accept: ${accept}`,
        '',
        '',
      ].join('\r\n'),
    );
    return new ServerWebSocket(socket, handlers);
  }

  get open(): boolean {
    return !this.closed;
  }

  sendText(text: string): void {
    this.send(OPCODE.text, Buffer.from(text, 'utf8'));
  }

  ping(data = 'standin'): void {
    this.send(OPCODE.ping, Buffer.from(data));
  }

  /** A close frame, then the TCP connection ends (a clean close). */
  close(code = 1000): void {
    if (this.closed) return;
    const payload = Buffer.alloc(2);
    payload.writeUInt16BE(code);
    this.send(OPCODE.close, payload);
    this.socket.end();
    this.finish();
  }

  /** Drops the connection without a close frame (a network failure). */
  terminate(): void {
    this.socket.destroy();
    this.finish();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.handlers.onClose();
  }

  private send(opcode: number, payload: Buffer): void {
    if (this.closed) return;
    const length = payload.length;
    let header: Buffer;
    if (length < 126) {
      header = Buffer.from([0x80 | opcode, length]);
    } else if (length < 65536) {
      header = Buffer.alloc(4);
      header.writeUInt16BE(length, 2);
      header[1] = 126;
    } else {
      header = Buffer.alloc(10);
      header.writeBigUInt64BE(BigInt(length), 2);
      header[1] = 127;
    }
    header[0] = 0x80 | opcode;
    // server frames are never masked (RFC 6455 5.1)
    this.socket.write(Buffer.concat([header, payload]));
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const frame = this.nextFrame();
      if (frame === undefined) return;
      if (frame === 'unmasked') {
        // a client frame must be masked; the server closes with a protocol error (RFC 6455 5.1)
        this.close(1002);
        return;
      }
      this.handle(frame.fin, frame.opcode, frame.payload);
    }
  }

  private nextFrame(): { fin: boolean; opcode: number; payload: Buffer } | 'unmasked' | undefined {
    const data = this.buffer;
    if (data.length < 2) return undefined;
    const first = data[0] ?? 0;
    const second = data[1] ?? 0;
    if ((second & 0x80) === 0) return 'unmasked';
    let length = second & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (data.length < 4) return undefined;
      length = data.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (data.length < 10) return undefined;
      length = Number(data.readBigUInt64BE(2));
      offset = 10;
    }
    if (data.length < offset + 4 + length) return undefined;
    const mask = data.subarray(offset, offset + 4);
    const payload = Buffer.from(data.subarray(offset + 4, offset + 4 + length));
    for (let index = 0; index < payload.length; index += 1) {
      payload[index] = (payload[index] ?? 0) ^ (mask[index % 4] ?? 0);
    }
    this.buffer = data.subarray(offset + 4 + length);
    return { fin: (first & 0x80) !== 0, opcode: first & 0x0f, payload };
  }

  private handle(fin: boolean, opcode: number, payload: Buffer): void {
    if (opcode === OPCODE.ping) this.send(OPCODE.pong, payload);
    else if (opcode === OPCODE.close) this.close(payload.length >= 2 ? payload.readUInt16BE(0) : 1000);
    else if (opcode === OPCODE.text || opcode === OPCODE.continuation || opcode === OPCODE.binary) {
      this.fragments.push(payload);
      if (!fin) return;
      const message = Buffer.concat(this.fragments);
      this.fragments = [];
      this.handlers.onText(message.toString('utf8'));
    }
  }
}
