/** What JSON.stringify leaves raw: DEL, C1 controls (0x9b is an 8-bit CSI) and bidi overrides that make a log line lie. */
const UNSAFE = /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** Renders untrusted input for an error message: bounded, and nothing a terminal or a log reader would act on. */
export function printable(value: string, max = 40): string {
  const cut = value.length > max ? `${value.slice(0, max)}…` : value;
  return JSON.stringify(cut).replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
