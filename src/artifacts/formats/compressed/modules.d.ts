// Types for the untyped decoder package used here (only the calls this folder makes).

declare module 'seek-bzip' {
  /** Byte-at-a-time input: readByte returns the next byte (or -1 at the end). */
  interface BunzipInput {
    readByte(): number;
    read(buffer: Uint8Array, offset: number, length: number): number;
    eof(): boolean;
    seek(position: number): void;
  }
  /** Byte-at-a-time output. */
  interface BunzipOutput {
    writeByte(byte: number): void;
    flush?(): void;
  }
  /** The package's single export: a decoder with static helpers. */
  interface Bunzip {
    decode(
      input: BunzipInput | Uint8Array,
      output?: BunzipOutput | number,
      multistream?: boolean,
    ): Buffer | undefined;
  }
  const bunzip: Bunzip;
  export default bunzip;
}
