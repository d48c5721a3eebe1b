/**
 * Server-sent events (the WHATWG EventSource format): events are separated by a blank line, each
 * line is `field: value`, `data` lines of one event are joined with '\n', lines starting with ':'
 * are comments (OpenRouter sends ': OPENROUTER PROCESSING' as a keep-alive). Bytes may arrive cut
 * anywhere — inside a line or a multi-byte character — so the parser buffers.
 */
export interface ServerSentEvent {
  event: string;
  data: string;
}

export class SSEParser {
  private buffer = '';
  private readonly decoder = new TextDecoder();
  private data: string[] = [];
  private event = 'message';

  /** Feeds bytes; returns the events they complete. */
  push(chunk: Uint8Array): ServerSentEvent[] {
    this.buffer += this.decoder.decode(chunk, { stream: true });
    return this.drain(false);
  }

  /** The stream ended: a last event without its blank line still counts. */
  end(): ServerSentEvent[] {
    this.buffer += this.decoder.decode();
    return this.drain(true);
  }

  private drain(final: boolean): ServerSentEvent[] {
    const out: ServerSentEvent[] = [];
    for (;;) {
      const nl = this.buffer.search(/\r\n|\r|\n/);
      if (nl < 0) break;
      const breakLength = this.buffer.startsWith('\r\n', nl) ? 2 : 1;
      // A lone '\r' at the end of the buffer may be the first half of '\r\n': wait for more.
      if (!final && this.buffer[nl] === '\r' && nl === this.buffer.length - 1) break;
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + breakLength);
      this.line(line, out);
    }
    if (final) {
      if (this.buffer !== '') this.line(this.buffer, out);
      this.buffer = '';
      this.line('', out);
    }
    return out;
  }

  private line(line: string, out: ServerSentEvent[]): void {
    if (line === '') {
      if (this.data.length > 0) out.push({ event: this.event, data: this.data.join('\n') });
      this.data = [];
      this.event = 'message';
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
  }
}
