/**
 * Ordered teardown: a service registers how to close each part as it creates it, and closing runs
 * them in reverse (what was made last, and may use what came before, goes first). One list serves a
 * failed start and a normal stop, so the two cannot disagree on order. A part that throws is logged
 * and the rest still close; closing twice does nothing.
 */

export interface CloserLog {
  warn(obj: Record<string, unknown>, msg: string): void;
}

interface Part {
  name: string;
  close: () => void | Promise<void>;
}

export class Closer {
  private readonly parts: Part[] = [];
  private closing: Promise<void> | null = null;

  constructor(private readonly log?: CloserLog) {}

  /** Registers a part's close, to run before every part registered earlier. Returns the closer. */
  add(name: string, close: () => void | Promise<void>): this {
    if (this.closing) throw new Error(`closer: '${name}' added after closing began`);
    this.parts.push({ name, close });
    return this;
  }

  /** Whether close() has been called. */
  get closed(): boolean {
    return this.closing !== null;
  }

  /** Closes every part, last registered first; resolves when all are done (the same promise on every call). */
  close(): Promise<void> {
    this.closing ??= this.run();
    return this.closing;
  }

  private async run(): Promise<void> {
    for (const part of [...this.parts].reverse()) {
      try {
        await part.close();
      } catch (err) {
        this.log?.warn({ part: part.name, err: err instanceof Error ? err.message : String(err) }, 'closing a part failed');
      }
    }
  }
}
